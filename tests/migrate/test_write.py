"""`console migrate --write`: the files git would make from the diff, all or none, then the
project that the v5 runtime accepts, with the same kinds and schedules; running it again
changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from console.cli import main
from console.migrate import MigrationWriteError, apply_changes, plan_migration, unified_diff
from console.model import RouteKind, RouteSource
from console.project import discover
from console.project.facts_cache import clear
from tests.migrate.conftest import Copy, files_of


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    clear()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _to_v5(root: Path) -> None:
    """What `npm install -D @netlify/plugin-nextjs@5` changes: package.json and the lock file."""
    package = root / "package.json"
    data = json.loads(package.read_text())
    data["devDependencies"]["@netlify/plugin-nextjs"] = "^5.15.13"
    package.write_text(json.dumps(data, indent=2) + "\n")
    lock_file = root / "package-lock.json"
    lock = json.loads(lock_file.read_text())
    lock["packages"][""]["devDependencies"]["@netlify/plugin-nextjs"] = "^5.15.13"
    lock["packages"]["node_modules/@netlify/plugin-nextjs"]["version"] = "5.15.13"
    lock_file.write_text(json.dumps(lock, indent=2) + "\n")


@pytest.mark.parametrize("name", ["acme", "js-jobs", "ts-alias"])
def test_write_makes_what_git_apply_makes_of_the_diff(
    name: str, copy_project: Copy, capsys: pytest.CaptureFixture[str]
) -> None:
    by_git = copy_project(name)
    by_git = by_git.rename(by_git.parent / f"{name}-git")
    root = copy_project(name)
    diff = unified_diff(plan_migration(discover(root)).changes)
    subprocess.run(["git", "init", "-q"], cwd=by_git, check=True)
    subprocess.run(["git", "apply", "-"], cwd=by_git, input=diff, text=True, check=True)
    code, _, err = _run(capsys, "migrate", str(root), "--write")
    assert code == 0, err
    assert "next:" in err
    assert "npm install -D @netlify/plugin-nextjs@5" in err  # still on v4
    written = files_of(root)
    applied = {k: v for k, v in files_of(by_git).items() if not k.startswith(".git/")}
    assert written == applied


def test_after_write_v5_accepts_the_example_with_the_same_kinds_and_schedules(
    copy_project: Copy, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project("acme")
    before = discover(root)
    advanced = {
        r.route.removeprefix("/api/"): (r.kind, r.schedule)
        for r in before.routes
        if r.source is RouteSource.NEXT and r.kind is not RouteKind.API
    }
    _to_v5(root)
    code, out, _ = _run(capsys, "check", str(root), "--format", "json")
    assert "runtime-v5" in {p["code"] for p in json.loads(out)["problems"]}  # the test can fail
    code, _, err = _run(capsys, "migrate", str(root), "--write")
    assert code == 0, err
    assert "@netlify/plugin-nextjs@5" not in err  # on v5 already: no step to get there
    code, out, _ = _run(capsys, "check", str(root), "--format", "json")
    codes = {p["code"] for p in json.loads(out)["problems"]}
    assert "runtime-v5" not in codes
    assert codes == {"config-ignored"}  # the example's one deliberate mistake stays
    code, out, _ = _run(capsys, "routes", str(root), "--json")
    functions = {
        r["function"]: (RouteKind(r["kind"]), r["schedule"])
        for r in json.loads(out)["routes"]
        if r["source"] == "function"
    }
    assert {name: functions[name] for name in advanced} == advanced
    assert len(advanced) == 7
    next_files = {r["file"] for r in json.loads(out)["routes"] if r["source"] == "next"}
    # Nothing that was scheduled is left a plain /api route.
    for name, (kind, _) in advanced.items():
        if kind is RouteKind.SCHEDULED:
            assert not any(f.startswith(f"pages/api/{name}.") for f in next_files)


def test_the_route_kept_in_next_is_guarded_and_no_longer_scheduled(
    copy_project: Copy, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project("ts-alias")
    code, _, err = _run(capsys, "migrate", str(root), "--write")
    assert code == 0, err
    assert "set MIGRATED_ROUTE_SECRET" in err
    project = discover(root)
    route = project.route("/api/revalidate-posts")
    assert route is not None and route.kind is RouteKind.API
    assert "withRouteSecret(handler)" in (root / route.file).read_text()
    function = project.route("/.netlify/functions/revalidate-posts")
    assert function is not None
    assert (function.kind, function.schedule) == (RouteKind.SCHEDULED, "*/30 * * * *")


@pytest.mark.parametrize("name", ["acme", "ts-alias"])
def test_running_it_again_changes_nothing(
    name: str, copy_project: Copy, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(name)
    assert _run(capsys, "migrate", str(root), "--write")[0] == 0
    after = files_of(root)
    code, out, err = _run(capsys, "migrate", str(root), "--write")
    assert (code, out) == (0, "")
    assert err.startswith("no background or scheduled Next API routes to migrate")
    assert files_of(root) == after
    code, out, _ = _run(capsys, "migrate", str(root))
    assert (code, out) == (0, "")


def _replace_calls(root: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many renames a whole write of the project makes."""
    real_replace = os.replace
    calls = 0

    def counting(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        nonlocal calls
        calls += 1
        real_replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", counting)
        apply_changes(root, plan_migration(discover(root)).changes)
    return calls


def test_a_failure_at_any_rename_leaves_every_file_as_it_was(
    copy_project: Copy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """os.replace fails at its n-th call, for every n (a full disk or a vanished folder could)."""
    first = copy_project("js-jobs")
    total = _replace_calls(first.rename(tmp_path / "counted"), monkeypatch)
    assert total >= 9  # 2 moves, 2 functions, the adapter, package.json (aside + new)
    real_replace = os.replace
    for fail_at in range(1, total + 1):
        root = copy_project("js-jobs").rename(tmp_path / f"attempt-{fail_at}")
        before = files_of(root)
        dirs_before = sorted(p for p in root.rglob("*") if p.is_dir())
        plan = plan_migration(discover(root))
        calls = 0

        def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
            nonlocal calls
            calls += 1
            if calls == fail_at:  # noqa: B023 (each attempt reads its own fail_at, at once)
                raise OSError(28, "No space left on device", str(dst))
            real_replace(src, dst)

        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", failing_replace)
            with pytest.raises(MigrationWriteError, match="nothing was changed"):
                apply_changes(root, plan.changes)
        assert files_of(root) == before, f"failing at rename {fail_at} of {total}"
        assert sorted(p for p in root.rglob("*") if p.is_dir()) == dirs_before


def test_a_file_changed_since_the_plan_stops_the_write(copy_project: Copy) -> None:
    root = copy_project("js-jobs")
    plan = plan_migration(discover(root))
    (root / "pages" / "api" / "nightly.js").write_text("// edited meanwhile\n")
    before = files_of(root)
    with pytest.raises(MigrationWriteError, match="changed since the migration was planned"):
        apply_changes(root, plan.changes)
    assert files_of(root) == before


def test_the_cli_reports_a_failed_write_in_one_sentence(
    copy_project: Copy, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project("js-jobs")
    before = files_of(root)

    def refuse(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    code, out, err = _run(capsys, "migrate", str(root), "--write")
    assert code == 1 and out == ""
    assert err.startswith("console: could not write the migration (Permission denied at ")
    assert "Traceback" not in err
    assert files_of(root) == before


def test_json_with_write_says_written_and_what_to_run_next(
    copy_project: Copy, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project("js-jobs")
    code, out, err = _run(capsys, "migrate", str(root), "--write", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["written"] is True
    assert data["next_steps"][0] == "npm install (package.json gained @netlify/functions)"
    assert (
        "callers of /api/jobs/[id] now call /.netlify/functions/jobs-id-background"
        in (data["next_steps"])
    )
    assert (root / "functions" / "jobs-id-background.mjs").is_file()
    assert not (root / "pages" / "api" / "jobs").exists()  # the folder the move emptied
