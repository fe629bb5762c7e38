"""Every accepted and rejected form of `export const config` (PLATFORM.md section 3), in one table.

Each row is a route file's text; `§` marks where the expected problem points (it is removed
before the file is written), and the expectations say what the platform would do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.model import Problem, RouteKind, Severity
from console.project import discover

BG = "experimental-background"
SC = "experimental-scheduled"
SYNC = "this route will deploy as a normal synchronous route"


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    kind: RouteKind
    schedule: str | None = None
    code: str | None = None  # the one expected problem, located at `@`
    severity: Severity = Severity.ERROR
    message: str | None = None  # a fragment the message must hold
    name: str = "pages/api/job.ts"


E = Severity.ERROR
W = Severity.WARNING
A, B, S = RouteKind.API, RouteKind.BACKGROUND, RouteKind.SCHEDULED

ACCEPTED = [
    Case("single quotes", f"export const config = {{ type: '{BG}' }}", B),
    Case("double quotes", f'export const config = {{ type: "{BG}" }}', B),
    Case("string keys", f"export const config = {{ 'type': '{BG}' }}", B),
    Case("double-quoted keys", f'export const config = {{ "type": "{BG}" }}', B),
    Case("template literal", f"export const config = {{ type: `{BG}` }}", B),
    Case(
        "scheduled",
        f"export const config = {{ type: '{SC}', schedule: '@hourly' }}",
        S,
        "@hourly",
    ),
    Case(
        "template schedule",
        f"export const config = {{ type: '{SC}', schedule: `*/5 * * * *` }}",
        S,
        "*/5 * * * *",
    ),
    Case(
        "escapes decoded",
        f"export const config = {{ type: '{SC}', schedule: '0\\u0020* * * *' }}",
        S,
        "0 * * * *",
    ),
    Case(
        "type annotation on the name",
        f"export const config: PageConfig = {{ type: '{BG}' }}",
        B,
    ),
    Case(
        "every literal kind",
        f"export const config = {{ type: '{BG}', n: 1.5, h: 0x1F, b: true, f: false, z: null,\n"
        "  u: undefined, r: /a\\/b/gi, a: [1, 'x', [null]], o: { deep: { k: 'v' } } }",
        B,
    ),
    Case(
        "comments inside",
        f"export const config = {{\n  // why\n  type: '{BG}', /* inline */\n}}",
        B,
    ),
    Case("second declarator", f"export const a = 1, config = {{ type: '{BG}' }}", B),
    Case("no config at all", "export default function handler() {}", A),
    Case("config without type", "export const config = { api: { bodyParser: false } }", A),
    Case("node runtime", f"export const config = {{ type: '{BG}', runtime: 'nodejs' }}", B),
    Case("edge runtime, no type", "export const config = { runtime: 'edge' }", A),
    Case("falsy type is no type", "export const config = { type: '' }", A),
    Case("javascript file", f"export const config = {{ type: '{BG}' }}", B, name="pages/api/j.js"),
    Case("jsx file", f"export const config = {{ type: '{BG}' }}", B, name="pages/api/j.jsx"),
    Case("tsx file", f"export const config = {{ type: '{BG}' }}", B, name="pages/api/j.tsx"),
]

IGNORED = [
    Case(
        "as const",
        f"export const config = {{ type: '{BG}' }} §as const",
        A,
        code="config-ignored",
        message=f"`as const` is not read by the platform: config is ignored and {SYNC}",
    ),
    Case(
        "as T",
        f"export const config = {{ type: '{BG}' }} §as PageConfig",
        A,
        code="config-ignored",
        message="`as PageConfig`",
    ),
    Case(
        "type assertion <T>x",
        f"export const config = §<PageConfig>{{ type: '{BG}' }}",
        A,
        code="config-ignored",
        message="type assertion",
    ),
    Case(
        "satisfies",
        f"export const config = {{ type: '{BG}' }} §satisfies PageConfig",
        A,
        code="config-ignored",
        message="`satisfies`",
    ),
    Case(
        "identifier value",
        f"const T = '{BG}'\nexport const config = {{ type: §T }}",
        A,
        code="config-ignored",
        message="the identifier `T`",
    ),
    Case(
        "spread",
        f"const base = {{}}\nexport const config = {{ §...base, type: '{BG}' }}",
        A,
        code="config-ignored",
        message="the spread `...base`",
    ),
    Case(
        "shorthand",
        f"const type = '{BG}'\nexport const config = {{ §type }}",
        A,
        code="config-ignored",
        message="shorthand property",
    ),
    Case(
        "computed key",
        f"const k = 'type'\nexport const config = {{ §[k]: '{BG}' }}",
        A,
        code="config-ignored",
        message="computed key",
    ),
    Case(
        "template with ${}",
        f"const s = '0'\nexport const config = {{ type: '{SC}', schedule: §`${{s}} * * * *` }}",
        A,
        code="config-ignored",
        message="template literal with `${}`",
    ),
    Case(
        "string concatenation",
        "export const config = { type: §'experimental-' + 'background' }",
        A,
        code="config-ignored",
        message="the expression `'experimental-' + 'background'`",
        severity=W,  # the text never spells experimental-background in one piece
    ),
    Case(
        "process.env",
        f"export const config = {{ type: '{SC}', schedule: §process.env.CRON }}",
        A,
        code="config-ignored",
        message="process.env.CRON",
    ),
    Case(
        "negative number",
        f"export const config = {{ type: '{BG}', maxDuration: §-1 }}",
        A,
        code="config-ignored",
    ),
    Case(
        "bigint",
        f"export const config = {{ type: '{BG}', n: §1n }}",
        A,
        code="config-ignored",
        message="BigInt",
    ),
    Case(
        "parentheses",
        f"export const config = §({{ type: '{BG}' }})",
        A,
        code="config-ignored",
        message="parentheses",
    ),
    Case(
        "method",
        f"export const config = {{ type: '{BG}', §f() {{}} }}",
        A,
        code="config-ignored",
        message="a method",
    ),
    Case(
        "numeric key",
        f"export const config = {{ type: '{BG}', §1: 'x' }}",
        A,
        code="config-ignored",
        message="numeric key",
    ),
    Case(
        "export let",
        f"export §let config = {{ type: '{BG}' }}",
        A,
        code="config-ignored",
        message="`export let config` is not read by the platform (only `export const` is)",
    ),
    Case(
        "export var",
        f"export §var config = {{ type: '{BG}' }}",
        A,
        code="config-ignored",
        message="`export var config`",
    ),
    Case(
        "export clause",
        f"const config = {{ type: '{BG}' }}\nexport {{ §config }}",
        A,
        code="config-ignored",
        message="`export { config }`",
    ),
    Case(
        "export clause with alias",
        f"const cfg = {{ type: '{BG}' }}\nexport {{ §cfg as config }}",
        A,
        code="config-ignored",
        message="`export { cfg as config }`",
    ),
    Case(
        "commonjs",
        f"§module.exports.config = {{ type: '{BG}' }}",
        A,
        code="config-ignored",
        message="`module.exports.config = ...`",
        name="pages/api/j.js",
    ),
    Case(
        "not exported at all",
        f"const config = {{ type: '§{BG}' }}",
        A,
        code="config-ignored",
        message="no `export const config",
    ),
    Case(
        "a string, not an object",
        "export const config = §'background'",
        A,
        code="config-ignored",
        severity=W,
        message="config is a string, not an object",
    ),
    Case(
        "no advanced type mentioned: a warning",
        "const size = '1mb'\nexport const config = { api: { bodyParser: { sizeLimit: §size } } }",
        A,
        code="config-ignored",
        severity=W,
    ),
]

INVALID = [
    Case(
        "schedule missing",
        f"export const config = {{ type: §'{SC}' }}",
        A,
        code="schedule-required",
        message=(
            f'Invalid config value in pages/api/job.ts: schedule is required when type is "{SC}"'
        ),
    ),
    Case(
        "schedule empty",
        f"export const config = {{ type: '{SC}', §schedule: '' }}",
        A,
        code="schedule-required",
    ),
    Case(
        "schedule without type",
        "export const config = { §schedule: '@daily' }",
        A,
        code="schedule-not-allowed",
        message=f'schedule is not allowed unless type is "{SC}"',
        severity=E,
    ),
    Case(
        "schedule on background",
        f"export const config = {{ type: '{BG}', §schedule: '@daily' }}",
        A,
        code="schedule-not-allowed",
    ),
    Case(
        "unknown type",
        "export const config = { type: §'background' }",
        A,
        code="unsupported-type",
        message="Invalid config value in pages/api/job.ts: type background is not supported",
    ),
    Case(
        "scheduled on edge",
        f"export const config = {{ type: '{SC}', schedule: '@daily', runtime: §'edge' }}",
        A,
        code="edge-runtime",
        message="edge runtime is not supported for scheduled functions",
    ),
    Case(
        "background on experimental-edge",
        f"export const config = {{ type: '{BG}', runtime: §'experimental-edge' }}",
        A,
        code="edge-runtime",
        message="edge runtime is not supported for background functions",
    ),
    Case(
        "invalid cron",
        f"export const config = {{ type: '{SC}', schedule: §'0 0 31 2 *' }}",
        S,
        "0 0 31 2 *",
        code="invalid-cron",
        message="February never has day 31",
    ),
    Case(
        "cron not a string",
        f"export const config = {{ type: '{SC}', schedule: §5 }}",
        S,
        "5",
        code="invalid-cron",
    ),
    Case(
        "cron with seconds",
        f"export const config = {{ type: '{SC}', schedule: §'30 0 0 * * *' }}",
        S,
        "30 0 0 * * *",
        code="cron-extension",
        severity=W,
    ),
    Case(
        "short cron",
        f"export const config = {{ type: '{SC}', schedule: §'* * * *' }}",
        S,
        "* * * *",
        code="cron-short",
        severity=W,
    ),
    Case(
        "syntax error",
        f"export const config = {{ type: '{BG}' }}\nexport default function (req) {{ §)",
        B,
        code="syntax-error",
        message="does not parse",
    ),
]


def _expected_position(text: str) -> tuple[str, tuple[int, int] | None]:
    """Remove the `§` marker and return where it was (1-based line and column)."""
    index = text.find("§")
    if index < 0:
        return text, None
    before = text[:index]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return text[:index] + text[index + 1 :], (line, column)


def _run(make_project: Callable[[dict[str, str | bytes]], Path], case: Case) -> None:
    text, position = _expected_position(case.text)
    root = make_project({case.name: text + "\n"})
    project = discover(root)
    (route,) = project.routes
    assert route.kind is case.kind, project.problems
    assert route.schedule == case.schedule
    problems: tuple[Problem, ...] = project.problems
    if case.code is None:
        assert problems == ()
        return
    assert [p.code for p in problems] == [case.code], problems
    (problem,) = problems
    assert problem.severity is case.severity
    assert problem.file == case.name
    if position is not None:
        assert (problem.line, problem.column) == position, problem
    if case.message is not None:
        assert case.message in problem.message


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.id)
def test_accepted_forms_are_read(make_project: Callable[..., Path], case: Case) -> None:
    _run(make_project, case)


@pytest.mark.parametrize("case", IGNORED, ids=lambda c: c.id)
def test_forms_the_platform_silently_ignores(make_project: Callable[..., Path], case: Case) -> None:
    _run(make_project, case)


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c.id)
def test_read_but_invalid(make_project: Callable[..., Path], case: Case) -> None:
    _run(make_project, case)
