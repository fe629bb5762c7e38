"""`console migrate` without --write: the diff (pinned as golden files), the summary, and the
choices it makes per route. After a deliberate change, regenerate the golden files with
`UPDATE_GOLDEN=1 python -m pytest tests/migrate/test_plan.py` and read the diff."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from console.cli import main
from console.migrate import Pattern, plan_migration
from console.migrate.changes import Change, unified_diff
from console.project import discover
from tests.migrate.conftest import Copy, files_of, source_of

GOLDEN = Path(__file__).parent / "golden"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring"


@pytest.mark.parametrize("name", ["acme", "js-jobs", "ts-alias"])
def test_the_diff_and_summary_are_the_golden_ones(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = source_of(name)
    before = files_of(root)
    code, out, err = _run(capsys, "migrate", str(root))
    assert code == 0
    assert files_of(root) == before  # nothing written without --write
    _golden(f"{name}.diff", out)
    _golden(f"{name}.txt", err.replace(str(root), f"<{name}>"))


@pytest.mark.parametrize("name", ["acme", "js-jobs", "ts-alias"])
def test_the_diff_applies_with_git(name: str, copy_project: Copy) -> None:
    root = copy_project(name)
    diff = unified_diff(plan_migration(discover(root)).changes)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = subprocess.run(
        ["git", "apply", "--check", "-"], cwd=root, input=diff, text=True, capture_output=True
    )
    assert result.returncode == 0, result.stderr


def test_acme_every_advanced_route_moves_and_the_mistake_is_named_and_skipped() -> None:
    plan = plan_migration(discover(source_of("acme")))
    moved = {m.route.route: (m.function, m.function_file, m.pattern) for m in plan.migrations}
    assert moved == {
        "/api/cleanup": ("cleanup", "netlify/functions/cleanup.mts", Pattern.ADAPTER),
        "/api/daily-report": ("daily-report", "netlify/functions/daily-report.mts", Pattern.ADAPTER),
        "/api/heartbeat": ("heartbeat", "netlify/functions/heartbeat.mts", Pattern.ADAPTER),
        "/api/import-csv-background": (
            "import-csv-background", "netlify/functions/import-csv-background.mts", Pattern.ADAPTER,
        ),
        "/api/refresh-cache": ("refresh-cache", "netlify/functions/refresh-cache.mts", Pattern.ADAPTER),
        "/api/resize-images-background": (
            "resize-images-background", "netlify/functions/resize-images-background.mts",
            Pattern.ADAPTER,
        ),
        "/api/send-emails-background": (
            "send-emails-background", "netlify/functions/send-emails-background.mts",
            Pattern.ADAPTER,
        ),
    }  # fmt: skip
    (skipped,) = plan.skipped
    assert (skipped.route, skipped.file) == ("/api/sync-background", "pages/api/sync-background.ts")
    assert "`as const` is not read by the platform" in skipped.reason
    assert plan.package_additions == ()  # the example has @netlify/functions already
    paths = [c.path for c in plan.changes]
    assert "pages/api/sync-background.ts" not in paths
    assert "netlify/functions/_lib/next-api-adapter.mjs" in paths
    assert "netlify/functions/_lib/next-api-adapter.d.mts" in paths


def test_a_javascript_project_gets_mjs_functions_in_its_own_folder_and_the_package() -> None:
    plan = plan_migration(discover(source_of("js-jobs")))
    assert (plan.language, plan.functions_dir) == ("js", "functions")
    by_route = {m.route.route: m for m in plan.migrations}
    job = by_route["/api/jobs/[id]"]
    assert (job.function, job.function_file) == (
        "jobs-id-background",
        "functions/jobs-id-background.mjs",
    )
    assert job.handler_file == "lib/migrated/jobs/[id].js"
    assert job.rewritten_imports == ()  # ../../../lib/queue names the same file from there
    nightly = by_route["/api/nightly"]
    assert nightly.rewritten_imports == (("./_format", "../../pages/api/_format"),)
    assert plan.package_additions == (("@netlify/functions", "^2.8.2"),)
    package = next(c for c in plan.changes if c.path == "package.json")
    assert package.after is not None
    data = json.loads(package.after)
    assert data["devDependencies"] == {
        "@netlify/functions": "^2.8.2",
        "@netlify/plugin-nextjs": "^4.41.3",
    }
    assert "functions/_lib/next-api-adapter.d.mts" not in [c.path for c in plan.changes]


def test_a_route_using_next_only_apis_stays_in_next_behind_the_secret() -> None:
    plan = plan_migration(discover(source_of("ts-alias")))
    by_route = {m.route.route: m for m in plan.migrations}
    proxy = by_route["/api/revalidate-posts"]
    assert proxy.pattern is Pattern.NEXT_ROUTE
    assert proxy.next_only == ("res.revalidate",)
    changes = {c.path: c for c in plan.changes}
    wrapper = changes["pages/api/revalidate-posts.ts"]
    assert wrapper.before is not None and wrapper.after is not None
    assert b"withRouteSecret(handler)" in wrapper.after
    assert b"experimental-scheduled" not in wrapper.after  # no longer a scheduled route
    assert changes["lib/migrated/revalidate-posts.ts"].after == wrapper.before
    assert "lib/migrated/_route-secret.ts" in changes
    function = changes["netlify/functions/revalidate-posts.mts"].after
    assert function is not None and b"callNextRoute('/api/revalidate-posts')" in function
    assert by_route["/api/digest"].pattern is Pattern.ADAPTER
    # A route kept in Next keeps its api settings: without bodyParser: false there, Next would
    # parse the body the handler reads as a stream (the e2e test caught that).
    ingest = changes["pages/api/ingest-background.ts"].after
    assert ingest is not None
    assert b"export const config = { api: { bodyParser: false } }" in ingest
    assert b"experimental-background" not in ingest
    assert b"export const config" not in wrapper.after  # revalidate-posts has no api settings
    # The alias import is left alone: tsconfig paths resolve the same from anywhere.
    assert by_route["/api/digest"].rewritten_imports == ()


def test_route_selects_one_route(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "migrate", str(source_of("acme")), "--route", "/api/cleanup")
    assert code == 0
    assert "1 route to move" in err
    assert "netlify/functions/cleanup.mts" in out
    assert "daily-report" not in out and "sync-background" not in err


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("/api/nope", "/api/nope is not a Next API route"),
        ("/api/hello", "/api/hello is an api route; only background and scheduled routes"),
    ],
)
def test_a_bad_route_is_a_usage_error(
    route: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "migrate", str(source_of("acme")), "--route", route)
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_a_named_route_with_config_errors_is_skipped_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(
        capsys, "migrate", str(source_of("acme")), "--route", "/api/sync-background"
    )
    assert (code, out) == (1, "")
    assert "skipped /api/sync-background (pages/api/sync-background.ts)" in err


def test_a_project_with_no_advanced_routes_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "package.json").write_text('{"name": "plain"}')
    (tmp_path / "pages" / "api").mkdir(parents=True)
    (tmp_path / "pages" / "api" / "hello.js").write_text("export default (req, res) => res.end()\n")
    code, out, err = _run(capsys, "migrate", str(tmp_path))
    assert (code, out) == (0, "")
    assert err.strip() == f"no background or scheduled Next API routes to migrate in {tmp_path}"
    code, out, _ = _run(capsys, "migrate", str(tmp_path), "--json")
    assert code == 0 and json.loads(out)["routes"] == []


def test_clashes_are_skipped_not_overwritten(copy_project: Copy) -> None:
    root = copy_project("acme")
    (root / "netlify" / "functions" / "cleanup.mjs").write_text("export default () => {}\n")
    (root / "lib" / "migrated").mkdir(parents=True)
    (root / "lib" / "migrated" / "heartbeat.js").write_text("// mine\n")
    (root / "pages" / "api" / "nightly-background.js").write_text(
        "export const config = { type: 'experimental-scheduled', schedule: '@daily' }\n"
        "export default (req, res) => res.end()\n"
    )
    plan = plan_migration(discover(root))
    reasons = {s.route: s.reason for s in plan.skipped}
    assert reasons["/api/cleanup"] == "a Netlify function named cleanup exists already"
    assert reasons["/api/heartbeat"] == "lib/migrated/heartbeat.js exists already"
    assert (
        "a name ending in -background makes a background function"
        in (reasons["/api/nightly-background"])
    )
    touched = {c.path for c in plan.changes}
    assert not touched & {
        "pages/api/cleanup.js",
        "pages/api/heartbeat.js",
        "lib/migrated/heartbeat.js",
    }


def test_json_has_the_routes_files_and_diff(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "migrate", str(source_of("js-jobs")), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["written"] is False
    assert [r["function"] for r in data["routes"]] == ["jobs-id-background", "nightly"]
    assert data["package_json"] == {"devDependencies": {"@netlify/functions": "^2.8.2"}}
    actions = {f["path"]: f["action"] for f in data["files"]}
    assert actions["pages/api/nightly.js"] == "delete"
    assert actions["lib/migrated/nightly.js"] == "create"
    assert data["diff"].startswith(
        "diff --git a/pages/api/jobs/[id].js b/lib/migrated/jobs/[id].js"
    )


def test_diff_marks_a_last_line_without_newline() -> None:
    diff = unified_diff([Change("a.js", b"one\ntwo", b"one\nthree")])
    assert diff.endswith("+three\n\\ No newline at end of file\n")


def test_a_terminal_gets_the_diff_without_control_sequences(
    copy_project: Copy, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project("js-jobs")
    hostile = "// \x1b]0;PWNED\x07 \x1b[2J title\n"
    nightly = root / "pages" / "api" / "nightly.js"
    nightly.write_text(hostile + nightly.read_text())
    _, piped, _ = _run(capsys, "migrate", str(root))
    assert "\x1b]0;PWNED\x07" in piped  # a pipe gets the bytes git apply needs
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    _, shown, _ = _run(capsys, "migrate", str(root))
    assert "\x1b" not in shown and "\x07" not in shown
    assert "title" in shown and "+import { formatCount } from '../../pages/api/_format'" in shown
