"""`console open`: the command's checks before the screen, and the route-file watcher."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from console.cli import main
from console.commands.open import _relevant, watch_project
from tests.ui.conftest import ACME


def test_an_unknown_target_is_a_usage_error_before_the_screen(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["open", str(ACME), "--target", "nope"]) == 2
    assert "unknown target 'nope'" in capsys.readouterr().err


def test_not_a_project_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["open", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "relevant"),
    [
        ("/p/pages/api/hello.ts", True),
        ("/p/netlify.toml", True),
        ("/p/package.json", True),
        ("/p/pnpm-lock.yaml", True),  # the runtime version is read from lock files
        ("/p/yarn.lock", True),
        ("/p/.github/workflows/ci.yaml", False),
        ("/p/node_modules/next/index.js", False),
        ("/p/.next/server/pages/api/hello.js", False),
        ("/p/.console/history.sqlite3", False),
        ("/p/styles/site.css", False),
    ],
)
def test_only_files_discovery_reads_are_watched(path: str, relevant: bool) -> None:
    assert _relevant(path) is relevant


async def test_a_new_route_file_reloads_the_project(tmp_path: Path) -> None:
    site = tmp_path / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns("node_modules", ".next", ".console"))
    updates = watch_project(site)
    first = asyncio.ensure_future(anext(updates))
    await asyncio.sleep(0.5)  # the watcher is up
    (site / "pages" / "api" / "brand-new.js").write_text(
        "export default function handler(req, res) { res.json({}) }\n"
    )
    project = await asyncio.wait_for(first, timeout=15)
    assert "/api/brand-new" in [r.route for r in project.routes]
    await updates.aclose()


def test_a_next_site_opens_before_its_routes_are_known(tmp_path: Path) -> None:
    from console.project import first_look
    from tests.ui.demo import generated_project

    site = generated_project(tmp_path / "gen", 3)
    project = first_look(site)
    assert project is not None and project.routes == () and project.dev_script == "next dev"
    # A folder only discovery can judge (no package.json depending on Next) is not guessed at.
    (tmp_path / "plain").mkdir()
    assert first_look(tmp_path / "plain") is None
    assert first_look(tmp_path / "missing") is None


async def test_the_first_discovery_runs_in_a_process_of_its_own(tmp_path: Path) -> None:
    import os

    from console.commands.open import DiscoveryProcess
    from tests.ui.demo import generated_project

    site = generated_project(tmp_path / "gen", 5)
    process = DiscoveryProcess()
    try:
        updates = watch_project(site, discover_first=True, process=process)
        project = await asyncio.wait_for(anext(updates), timeout=60)
        assert len(project.routes) == 5
        children = process._pool._pool if process._pool is not None else []  # type: ignore[attr-defined]
        assert children and all(p.pid != os.getpid() for p in children)
        await updates.aclose()
    finally:
        process.close()


def test_a_discovery_cut_short_by_the_quit_lets_the_process_exit(tmp_path: Path) -> None:
    """A thread waiting on a discovery the quit terminated kept `console open` from exiting
    (asyncio.run joins its threads at the end): the same steps in a process of their own."""
    import subprocess
    import sys

    from tests.ui.conftest import ROOT
    from tests.ui.demo import generated_project

    site = generated_project(tmp_path / "gen", 300)
    script = f"""
import asyncio
from pathlib import Path
from console.commands.open import DiscoveryProcess

async def main():
    process = DiscoveryProcess()
    pending = asyncio.ensure_future(process.discover(Path({str(site)!r})))
    await asyncio.sleep(0.05)
    process.close()  # as console open does on quit, the discovery still going
    pending.cancel()

asyncio.run(main())
print("exited")
"""
    # The bound only turns a hang into a failure; a working run takes about a second.
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "exited" in done.stdout, done.stderr
