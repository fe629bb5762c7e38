"""v1 or v2: which of a function file's two schedules the platform reads, and files with no handler.

zip-it-and-ship-it reads a file as v2 when it has a default export and no `handler` export
(`export const config` read, `schedule()` not), otherwise as v1 (`schedule()` read, config not).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from console.model import RouteKind, Severity
from console.project import discover

Make = Callable[[dict[str, str | bytes]], Path]
IMPORT = "import { schedule } from '@netlify/functions'\n"


def _only(root: Path) -> tuple[object, ...]:
    project = discover(root)
    (route,) = project.routes
    return (route.kind, route.schedule, route.line), project.problems


def test_v2_file_with_a_stray_schedule_helper_uses_config(make_project: Make) -> None:
    body = (
        IMPORT
        + "const run = schedule('@hourly', async () => {})\n"
        + "export default async () => new Response('ok')\n"
        + "export const config = { schedule: '@daily' }\n"
    )
    root = make_project({"netlify/functions/job.mts": body})
    facts, problems = _only(root)
    assert facts == (RouteKind.SCHEDULED, "@daily", 4)
    (problem,) = problems  # type: ignore[misc]
    assert (problem.line, problem.column, problem.code) == (2, 22, "config-ignored")
    assert problem.severity is Severity.WARNING
    assert problem.message.startswith("this file says two things: it is a v2 function")
    assert "(line 4)" in problem.message and "ignores this `schedule()`" in problem.message


def test_v1_file_with_a_config_schedule_uses_the_helper(make_project: Make) -> None:
    body = (
        IMPORT
        + "export const config = { schedule: '@daily' }\n"
        + "export const handler = schedule('@hourly', async () => ({ statusCode: 200 }))\n"
    )
    root = make_project({"netlify/functions/job.mts": body})
    facts, problems = _only(root)
    assert facts == (RouteKind.SCHEDULED, "@hourly", 3)
    (problem,) = problems  # type: ignore[misc]
    assert (problem.line, problem.column, problem.code) == (2, 35, "config-ignored")
    assert problem.message == (
        "this file says two things: it is a v1 function (it exports `handler`), so the platform "
        "ignores config.schedule and uses `schedule()` on line 3"
    )


def test_v1_file_with_only_a_config_schedule_is_not_scheduled(make_project: Make) -> None:
    body = (
        "export const config = { schedule: '@daily' }\n"
        "export const handler = async () => ({ statusCode: 200 })\n"
    )
    root = make_project({"netlify/functions/job.mts": body})
    facts, problems = _only(root)
    assert facts == (RouteKind.API, None, 1)
    (problem,) = problems  # type: ignore[misc]
    assert "v1 function (it exports `handler`)" in problem.message
    assert "ignores config.schedule" in problem.message


def test_a_function_that_exports_no_handler(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/helpers.ts": "export const format = (x: string) => x.trim()\n",
            "netlify/functions/old.js": "// exports.handler = async () => ({ statusCode: 200 })\n",
            "netlify/functions/cjs.js": "module.exports = { handler: async () => ({}) }\n",
            "netlify/functions/fn.mjs": "export async function handler() { return {} }\n",
            "netlify/functions/alias.mjs": "const h = async () => ({})\nexport { h as handler }\n",
        }
    )
    project = discover(root)
    flagged = sorted((p.file, p.code, p.severity) for p in project.problems)
    assert flagged == [
        ("netlify/functions/helpers.ts", "no-handler", Severity.WARNING),
        ("netlify/functions/old.js", "no-handler", Severity.WARNING),
    ]
    message = project.problems_for("netlify/functions/old.js")[0].message
    assert message == (
        "netlify/functions/old.js exports no handler (no `export default` and no `handler` "
        "export): the platform deploys it but cannot invoke it"
    )


def test_export_function_handler_with_a_default_export_is_v2(make_project: Make) -> None:
    """zip-it-and-ship-it's v1 handler is a variable: `export function handler` does not count."""
    body = (
        "export async function handler() { return { statusCode: 200 } }\n"
        "export default async () => new Response('ok')\n"
        "export const config = { schedule: '@daily' }\n"
    )
    root = make_project({"netlify/functions/job.mts": body})
    facts, problems = _only(root)
    assert facts == (RouteKind.SCHEDULED, "@daily", 3)
    assert problems == ()
