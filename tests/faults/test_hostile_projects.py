"""Projects that fight back: special files where the console reads (FIFOs, /dev/zero, folders,
loops, binary and huge files), invalid TOML, code that must never run, names that are hostile.
Every case is a diagnostic or one clear sentence; never a traceback, a hang or a memory blow-up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.devserver.conftest import free_port
from tests.faults.conftest import API, REPO, cli, make_project, scheduled
from tests.faults.figures import Figures

HUGE = 2 * 1024 * 1024


def run_many(root: Path, commands: list[list[str]], timeout: int = 20) -> dict[str, Any]:
    """The commands in one process (tests/faults/run_many.py), each with a time limit."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.faults.run_many", str(timeout), json.dumps(commands)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout * len(commands) + 30,
    )
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def every_command(root: Path) -> list[list[str]]:
    p = str(root)
    return [
        ["routes", p, "--json"],
        ["routes", p],
        ["check", p, "--format", "json"],
        ["next", p, "--json", "--from", "2025-01-01T00:00:00Z"],
        ["timeline", p, "--json", "--from", "2025-01-01T00:00:00Z"],
        ["trigger", p, "/api/hello", "--no-dev", "--json"],
        ["history", p],
        ["target", "list", p],
    ]


def assert_survived(report: dict[str, Any]) -> None:
    for r in report["results"]:
        shown = f"{r['argv']}: {r['code']}\n{r['stderr'][-3000:]}"
        assert r["code"] in (0, 1, 2), shown
        assert "Traceback" not in r["stderr"], shown
        if r["code"] == 2:
            assert r["stderr"].startswith("console: ") and r["stderr"].count("\n") == 1, shown
    assert report["peak_kb"] < 400_000, f"peak memory {report['peak_kb']} kB"


# --- special files ------------------------------------------------------------------------

def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.mkdir()


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "no-such-file")


def _loop(path: Path) -> None:
    path.symlink_to(path.name)  # itself: ELOOP


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def _huge(path: Path) -> None:
    path.write_bytes(b"// " + b"x" * HUGE + b"\n")


KINDS: dict[str, Callable[[Path], None]] = {
    "fifo": _fifo,
    "dev-zero": _dev_zero,
    "folder": _folder,
    "dangling": _dangling,
    "loop": _loop,
    "binary": _binary,
    "huge": _huge,
}
NAMES = [
    "console.toml",
    "netlify.toml",
    "package.json",
    "next.config.js",
    "pages/api/special.js",
    "netlify/functions/special.mjs",
    ".console/history.sqlite3",
]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", NAMES)
def test_a_special_file_where_the_console_reads(
    tmp_path: Path, figures: Figures, name: str, kind: str
) -> None:
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    (root / "netlify" / "functions").mkdir(parents=True)
    (root / "netlify" / "functions" / "ok.mjs").write_text(
        "export default async () => new Response('ok')\n"
    )
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink()
    KINDS[kind](target)
    report = run_many(root, every_command(root))
    figures.inputs("hostile projects")
    assert_survived(report)
    codes = {" ".join(r["argv"][:1]): r["code"] for r in report["results"]}
    if name == "console.toml" and kind not in ("dangling",):
        assert codes["trigger"] == 2
        [trigger] = [r for r in report["results"] if r["argv"][0] == "trigger"]
        assert "console.toml" in trigger["stderr"]
    else:
        assert codes["routes"] == 0


# --- names --------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "\x1b]0;PWNED-TITLE\x07title",
    "\x1b[2J\x1b[Hclear",
    "\x1b]8;;evil.example\x1b\\link",
    "bell\x07\x07",
    "\x9b31mc1",
    "new\nline",
    "car\rriage",
    "tab\there",
    "sp ace",
    "ünïcødé-😀",
    "[id]",
    "[...rest]",
    "[[...opt]]",
    "[b]bold[b]",
    "$(touch pwned)",
    "-rf",
    "back\\slash",
    "%2e%2e",
]
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def test_hostile_file_names_reach_the_terminal_as_text(tmp_path: Path, figures: Figures) -> None:
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}", routes={})
    api = root / "pages" / "api"
    for i, name in enumerate(HOSTILE_NAMES):
        folder = api / f"d{i}"
        folder.mkdir()
        (folder / f"{name}.js").write_text(scheduled("*/5 * * * *") if i % 2 else API)
        (folder / f"{name}.broken.js").write_text("export const config = { type: '\x1b]0;x\x07\n")
    p = str(root)
    results = [
        cli("routes", p),
        cli("routes", p, "--json"),
        cli("check", p),
        cli("check", p, "--format", "github"),
        cli("next", p, "--from", "2025-01-01T00:00:00Z"),
        cli("timeline", p, "--from", "2025-01-01T00:00:00Z"),
        cli("trigger", p, "/api/nowhere", "--no-dev"),  # the error lists the routes
        cli("trigger", p, "/api/d0/\x1b]0;PWNED-TITLE\x07title", "--no-dev"),
        cli("history", p),
    ]
    figures.inputs("hostile projects", len(HOSTILE_NAMES) * 2)
    for r in results:
        r.assert_clean()
        assert r.code in (0, 1, 2), r
        for c in CONTROL:
            assert c not in r.stdout and c not in r.stderr, (r.args, repr(c))
    routes = results[1].json()["routes"]
    assert {r["file"].split("/")[2] for r in routes} >= {f"d{i}" for i in range(len(HOSTILE_NAMES))}
    assert not (root / "pwned").exists()


def test_a_route_named_with_control_characters_is_sent_percent_encoded(
    tmp_path: Path, figures: Figures
) -> None:
    """Before: httpx refused the raw URL inside the run, which failed with a traceback logged."""
    from tests.engine.server import serving

    with serving() as server:
        root = make_project(tmp_path / "site", url=server.url, routes={"a\x1b[2Jb c": API})
        r = cli("trigger", str(root), "/api/a\x1b[2Jb c", "--no-dev", "--json").assert_clean()
        figures.inputs("hostile projects")
        assert r.code == 0, r.stderr
        assert server.paths() == ["/api/a%1B[2Jb%20c"]
        assert r.json()["url"] == f"{server.url}/api/a%1B[2Jb%20c"
