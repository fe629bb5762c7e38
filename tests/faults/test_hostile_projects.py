"""Projects that fight back: special files where the console reads (FIFOs, /dev/zero, folders,
loops, binary and huge files), invalid TOML, code that must never run, names that are hostile.
Every case is a diagnostic or one clear sentence; never a traceback, a hang or a memory blow-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.devserver.conftest import free_port
from tests.faults.conftest import API, REPO, cli, make_project, scheduled
from tests.faults.figures import Figures
from tests.faults.unprivileged import reachable_folder, unprivileged

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


# --- code that must never run -------------------------------------------------------------

RUNS_CODE = """
const fs = require('fs')
fs.writeFileSync(%(marker)r, 'next.config ran')
require('child_process').execSync('touch ' + %(marker)r + '.sh')
module.exports = { pageExtensions: ['js', 'ts'], reactStrictMode: (() => { fs.writeFileSync(%(marker)r + '.iife', 'x'); return true })() }
"""


@pytest.mark.parametrize(
    "config", ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"]
)
def test_the_projects_code_is_never_run(tmp_path: Path, figures: Figures, config: str) -> None:
    marker = tmp_path / "ran"
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    (root / config).write_text(RUNS_CODE % {"marker": str(marker)})
    (root / "package.json").write_text(
        json.dumps({"name": "x", "scripts": {"predev": f"touch {marker}.npm"}})
    )
    (root / "netlify.toml").write_text(f'[build]\ncommand = "touch {marker}.toml"\n')
    report = run_many(root, every_command(root))
    figures.inputs("hostile projects")
    assert_survived(report)
    assert list(tmp_path.glob("ran*")) == []
    project = json.loads(report["results"][0]["stdout"])
    assert project["routes"]  # it was read, not run


# --- invalid TOML -------------------------------------------------------------------------

BAD_TOML = {
    "syntax": "[targets.preview\nkind = ",
    "not-utf8": b'[dev]\ncommand = "\xff\xfe"\n',
    "wrong-types": "targets = 5\n",
    "unknown-key": "[limits]\napi = 10\nbogus = 1\n",
    "negative": "[limits]\napi = -1\n",
    "bad-url": '[targets.preview]\nkind = "preview"\nurl = "ftp://x"\n',
    "bad-kind": '[targets.preview]\nkind = "staging"\nurl = "https://x.example"\n',
    "nul": '[dev]\ncommand = "a\x00b"\n',
    "deep": "a = " + "[" * 5000 + "]" * 5000 + "\n",
    "huge-number": "[limits]\napi = 1e400\n",
    "bool-lines": "[ui]\nmax_log_lines = true\n",
    "header-table": '[targets.p]\nkind = "preview"\nurl = "https://x.example"\nheaders = [1, 2]\n',
}


@pytest.mark.parametrize("case", list(BAD_TOML))
def test_an_invalid_console_toml_is_one_sentence(
    tmp_path: Path, figures: Figures, case: str
) -> None:
    root = make_project(tmp_path / "site")
    text = BAD_TOML[case]
    (root / "console.toml").write_bytes(text if isinstance(text, bytes) else text.encode())
    report = run_many(root, every_command(root))
    figures.inputs("hostile projects")
    assert_survived(report)
    by = {r["argv"][0]: r for r in report["results"]}
    assert by["routes"]["code"] == 0  # routes need no settings
    for command in ("trigger", "target"):
        assert by[command]["code"] == 2, by[command]
        assert "console.toml" in by[command]["stderr"]


@pytest.mark.parametrize("case", ["syntax", "not-utf8", "wrong-types", "deep", "nul"])
def test_an_invalid_netlify_toml_is_a_diagnostic(
    tmp_path: Path, figures: Figures, case: str
) -> None:
    root = make_project(tmp_path / "site")
    text = BAD_TOML[case]
    (root / "netlify.toml").write_bytes(text if isinstance(text, bytes) else text.encode())
    report = run_many(root, every_command(root))
    figures.inputs("hostile projects")
    assert_survived(report)
    check = json.loads(report["results"][2]["stdout"])
    routes = json.loads(report["results"][0]["stdout"])
    assert routes["routes"]  # the routes are still there
    # `targets = 5` is valid TOML netlify.toml does not read; bad UTF-8 is read as U+FFFD.
    if case not in ("wrong-types", "not-utf8"):
        assert any(p["file"] == "netlify.toml" for p in check["problems"]), check


# --- unreadable ---------------------------------------------------------------------------


def test_unreadable_files_and_folders(tmp_path: Path, figures: Figures) -> None:
    """chmod 000 on a route file, a folder of routes, console.toml and the history, run as an
    unprivileged user in a folder it can reach (wherever pytest keeps its own); as root without
    either, opening them is made to fail as the kernel would."""
    with reachable_folder(unprivileged()) as folder:
        _unreadable_files_and_folders(folder, tmp_path, figures)


def _unreadable_files_and_folders(folder: Path | None, tmp_path: Path, figures: Figures) -> None:
    prefix = None if folder is None else unprivileged()
    tmp_path = folder or tmp_path
    root = make_project(tmp_path / "site", url=f"http://127.0.0.1:{free_port()}")
    api = root / "pages" / "api"
    (api / "locked").mkdir()
    (api / "locked" / "inside.js").write_text(API)
    (root / ".console").mkdir()
    for path in (tmp_path, *root.rglob("*"), root):
        path.chmod(0o777 if path.is_dir() else 0o666)
    locked = [api / "hello.js", api / "locked", root / "console.toml"]
    if prefix is not None:
        locked.append(root / ".console")  # SQLite opens it itself: only a real chmod stops it
    for path in locked:
        path.chmod(0)
    env = dict(os.environ)
    if prefix is None:
        env["CONSOLE_FAULTS_DENY"] = json.dumps([str(p) for p in locked])
    proc = subprocess.run(
        [*(prefix or []), sys.executable, "-m", "tests.faults.run_many", "20",
         json.dumps(every_command(root))],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    figures.inputs("hostile projects", 4)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert_survived(report)
    by = {r["argv"][0]: r for r in report["results"]}
    routes = json.loads(report["results"][0]["stdout"])  # routes --json
    not_read = {p["file"] for p in routes["problems"] if p["code"] == "not-read"}
    assert {"pages/api/hello.js", "pages/api/locked"} <= not_read, routes["problems"]
    assert by["trigger"]["code"] == 2
    assert (
        "console.toml" in by["trigger"]["stderr"] and "ermission denied" in by["trigger"]["stderr"]
    )


@pytest.mark.parametrize("closed", ["the project folder", "a folder above it"])
def test_a_project_folder_closed_to_the_user_is_one_sentence(
    tmp_path: Path, closed: str, figures: Figures
) -> None:
    """chmod 000 on the project (or on a folder it is in), run as a user that stops."""
    prefix = unprivileged()
    with reachable_folder(prefix) as folder:
        if folder is None:
            pytest.skip("needs a user that file permissions stop (setpriv as root, or not root)")
        outer = folder / "outer"
        root = make_project(outer / "site")
        for path in (outer, *outer.rglob("*")):
            path.chmod(0o777 if path.is_dir() else 0o666)
        (root if closed == "the project folder" else outer).chmod(0)
        commands = [c for c in every_command(root) if c[0] != "target"]
        proc = subprocess.run(
            [*(prefix or []), sys.executable, "-m", "tests.faults.run_many", "20",
             json.dumps(commands)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        figures.inputs("hostile projects", len(commands))
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        assert_survived(report)
        for r in report["results"]:
            assert r["code"] == 2, r
            assert str(root) in r["stderr"] and "ermission denied" in r["stderr"], r


# --- names that are not UTF-8 ---------------------------------------------------------------


NOT_UTF8 = {
    b"\x9b31mred.js": "a C1 CSI byte",
    b"\x9d0;PWNED\x07.js": "a C1 OSC byte and a BEL",
    b"caf\xe9-latin1.js": "Latin-1, not UTF-8",
}


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path, figures: Figures) -> None:
    """Raw C1 bytes in a file name reach the terminal as a CSI or OSC when printed as they are,
    and make --json output invalid UTF-8; both must show them as visible escapes."""
    root = make_project(tmp_path / "site", routes={"ok": API})
    api = os.fsencode(root / "pages" / "api")
    for name in NOT_UTF8:
        with open(os.path.join(api, name), "wb") as f:
            f.write(API.encode())
    (root / "console.toml").write_text("")
    figures.inputs("hostile projects", len(NOT_UTF8))
    for argv in (["routes"], ["routes", "--json"], ["check"], ["check", "--format", "json"],
                 ["check", "--format", "github"], ["next", "--json"], ["timeline"]):  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-m", "console", argv[0], str(root), *argv[1:]],
            cwd=REPO, capture_output=True, timeout=60,
        )  # fmt: skip
        out = proc.stdout + proc.stderr
        assert b"Traceback" not in out, out[-2000:]
        for byte in (b"\x9b", b"\x9d", b"\x1b", b"\x07", b"\xe9"):
            assert byte not in out, (argv, byte, out[:2000])
        text = out.decode("utf-8")  # strict: raises on any byte that is not UTF-8
        if argv == ["routes", "--json"]:
            data = json.loads(proc.stdout.decode("utf-8"))
            files = {r["file"] for r in data["routes"]}
            assert "pages/api/\\x9b31mred.js" in files, files
            assert "pages/api/caf\\xe9-latin1.js" in files, files
        if argv == ["routes"]:
            assert "\\x9b31mred" in text, text
