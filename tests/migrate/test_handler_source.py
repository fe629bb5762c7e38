"""What the planner reads in a handler: its module specifiers (to keep them resolving after the
move) and the Next-only APIs that send a route to the Next-route pattern."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.migrate import plan_migration
from console.migrate.handler_source import (
    module_specifiers,
    moved_specifier,
    next_only_uses,
    rewrite_specifiers,
)
from console.project import discover

SOURCE = b"""import a from './a'
import type { T } from "../types"
export { b } from './b'
const c = require('./c')
const d = await import('./d')
import x from 'next'
const notOne = require(name)
"""


def test_every_kind_of_specifier_is_found_with_its_place() -> None:
    found = module_specifiers(SOURCE, "route.ts")
    assert [s.text for s in found] == ["./a", "../types", "./b", "./c", "./d", "next"]
    for spec in found:
        assert SOURCE[spec.start : spec.end].decode() == spec.text


def test_rewriting_touches_only_the_named_specifiers_inside_their_quotes() -> None:
    out = rewrite_specifiers(SOURCE, "route.ts", {"./a": "../../pages/api/a", "./c": "./c2"})
    assert out.startswith(b"import a from '../../pages/api/a'\n")
    assert b"require('./c2')" in out and b"from './b'" in out and b"from 'next'" in out


@pytest.mark.parametrize(
    ("spec", "old_dir", "new_dir", "moves", "expected"),
    [
        ("../../lib/sleep", "pages/api", "lib/migrated", {}, "../../lib/sleep"),
        ("../../../lib/q", "pages/api/jobs", "lib/migrated/jobs", {}, "../../../lib/q"),
        ("./_format", "pages/api", "lib/migrated", {}, "../../pages/api/_format"),
        ("../x", "pages/api", "lib/migrated", {}, "../../pages/x"),
        ("./other", "pages/api", "lib/migrated", {"pages/api/other": "lib/migrated/other"}, "./other"),
        ("./jobs/run.js", "pages/api", "lib/migrated",
         {"pages/api/jobs/run.js": "lib/migrated/jobs/run.js"}, "./jobs/run.js"),
    ],
)  # fmt: skip
def test_a_specifier_names_the_same_file_from_the_new_place(
    spec: str, old_dir: str, new_dir: str, moves: dict[str, str], expected: str
) -> None:
    assert moved_specifier(spec, old_dir, new_dir, moves) == expected


def test_next_only_apis_are_found_in_code_not_in_comments() -> None:
    code = b"""// res.revalidate('/x') is what we used to do
/* getServerSession */
import { getServerSession } from 'next-auth/next'
export default async (req, res) => { await res.revalidate('/posts'); req.on('data', f) }
export const config = { api: { bodyParser: false } }
"""
    assert next_only_uses(code, "r.js") == (
        "res.revalidate",
        "getServerSession (next-auth)",
        "next-auth",
        "the raw request stream (bodyParser: false)",
        "the request as a stream",
    )
    assert next_only_uses(b"// res.revalidate('/x')\nexport default () => {}\n", "r.js") == ()


def test_a_src_pages_project_moves_to_src_lib_migrated(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "s"}')
    api = tmp_path / "src" / "pages" / "api" / "reports"
    api.mkdir(parents=True)
    (api / "index.js").write_text(
        "import { q } from '../../../lib/q'\n"
        "export const config = { type: 'experimental-scheduled', schedule: '@weekly' }\n"
        "export default (req, res) => res.json(q)\n"
    )
    plan = plan_migration(discover(tmp_path))
    (m,) = plan.migrations
    assert (m.function, m.function_file) == ("reports", "netlify/functions/reports.mjs")
    assert m.handler_file == "src/lib/migrated/reports/index.js"
    assert m.rewritten_imports == ()  # src/lib/q from both places
