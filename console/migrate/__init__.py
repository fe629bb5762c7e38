"""`console migrate`: v4 background and scheduled Next API routes become Netlify functions.

Planning reads the project (console.project) and decides every file change; nothing is
written until `apply_changes`, which writes all of them or none.
"""

from console.migrate.apply import MigrationWriteError, apply_changes
from console.migrate.changes import Change, unified_diff
from console.migrate.plan import (
    SECRET_VAR,
    MigrationPlan,
    Pattern,
    RouteMigration,
    Skipped,
    plan_migration,
)

__all__ = [
    "SECRET_VAR",
    "Change",
    "MigrationPlan",
    "MigrationWriteError",
    "Pattern",
    "RouteMigration",
    "Skipped",
    "apply_changes",
    "plan_migration",
    "unified_diff",
]
