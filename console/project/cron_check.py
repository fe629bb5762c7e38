"""Schedule strings checked with the platform's cron dialect, turned into problems."""

from __future__ import annotations

from console.errors import CronError
from console.model import Problem, Severity
from console.schedule import parse_cron


def cron_problems(
    expr: str, file: str, line: int, column: int, *, toml_key: str | None = None
) -> list[Problem]:
    """`invalid-cron` (error) or the dialect's warnings (`cron-extension`, `cron-short`).

    `toml_key` names a netlify.toml setting (`functions."x".schedule`): the build validates
    those itself, so the message then starts with the build's own words.
    """
    try:
        spec = parse_cron(expr)
    except CronError as exc:
        if toml_key is not None:
            message = (
                f"{toml_key} must be a valid cron expression "
                f"(see https://ntl.fyi/cron-syntax). {exc}"
            )
        else:
            message = f"Invalid schedule {expr!r}: {exc}"
        return [Problem(file, line, column, Severity.ERROR, "invalid-cron", message)]
    return [Problem(file, line, column, Severity.WARNING, w.code, w.message) for w in spec.warnings]
