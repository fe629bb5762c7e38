"""Fixtures for the fault suite: real projects on disk, the real CLI in subprocesses, a mark on
every process a test starts (none may be left), and the suite's figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.devserver.procs import marking_processes
from tests.faults.figures import FIGURES, Figures

REPO = Path(__file__).resolve().parents[2]
FAULT_DIR = Path(__file__).resolve().parent

API = "export default function handler(req, res) {\n  res.status(200).json({ ok: true })\n}\n"
BACKGROUND = (
    "export const config = { type: 'experimental-background' }\n"
    "export default async function handler(req, res) {\n  res.status(200).end()\n}\n"
)


def scheduled(schedule: str) -> str:
    return (
        f"export const config = {{ type: 'experimental-scheduled', schedule: '{schedule}' }}\n"
        "export default function handler(req, res) {\n  res.status(200).end()\n}\n"
    )


DEFAULT_ROUTES = {
    "hello": API,
    "slow": API,
    "fail": API,
    "work-background": BACKGROUND,
    "tick": scheduled("* * * * *"),
}


def make_project(
    root: Path,
    *,
    url: str | None = None,
    routes: Mapping[str, str] = DEFAULT_ROUTES,
    toml: str = "",
    dev_command: str | None = None,
) -> Path:
    """A project folder: package.json, pages/api/<name>.js per route, console.toml.

    `url` becomes the local target (and the dev server's URL); `toml` is appended as written.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps({"name": "fault-site", "private": True}))
    (root / "node_modules").mkdir(exist_ok=True)  # the dev server check wants it
    api = root / "pages" / "api"
    api.mkdir(parents=True, exist_ok=True)
    for name, source in routes.items():
        (api / f"{name}.js").parent.mkdir(parents=True, exist_ok=True)
        (api / f"{name}.js").write_text(source)
    text = ""
    if url is not None:
        text += f'[targets.local]\nkind = "local"\nurl = "{url}"\n\n[dev]\nurl = "{url}"\n'
        if dev_command is not None:
            text += f"command = {json.dumps(dev_command)}\n"
        text += "\n"
    (root / "console.toml").write_text(text + toml)
    return root


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def assert_clean(self) -> Result:
        """No traceback, and any error is one sentence on stderr."""
        assert "Traceback" not in self.stderr, self.stderr
        assert "Traceback" not in self.stdout, self.stdout
        return self


def cli(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60, cwd: Path = REPO
) -> Result:
    """`python -m console ARGS` in a subprocess, as a user would run it."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)


def start_cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_module(module: str, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    """`python -m MODULE ARGS` from the repository root (the suite's helper scripts)."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.fixture(autouse=True)
def process_mark(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from marking_processes(monkeypatch, "faults")


@pytest.fixture
def figures() -> Figures:
    return FIGURES


@pytest.fixture(scope="session", autouse=True)
def _write_figures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    yield
    path = FIGURES.write(tmp_path_factory.getbasetemp())
    extra = os.environ.get("CONSOLE_FAULT_FIGURES")
    if extra:
        FIGURES.write(Path(extra))
    _written.append(path)


_written: list[Path] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            FIGURES.faults_survived += 1
        elif report.failed:
            FIGURES.faults_failed += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _written:
        return
    f = FIGURES
    terminalreporter.write_sep("-", "fault suite figures")
    terminalreporter.write_line(
        f"faults survived {f.faults_survived} (failed {f.faults_failed}), inputs tried "
        f"{f.inputs_tried:,}, runs held {f.runs_held:,}, runs lost {f.runs_lost} "
        f"-> {_written[0]}"
    )
