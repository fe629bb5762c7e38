"""After `console migrate --write`, each migrated function, run by the real Netlify CLI's
functions server (`netlify functions:serve --offline`), does what the original route did under
`next dev` on the v4 runtime: same outcome, same handler lines (one test per route kind, plus
one that throws), and imports through a tsconfig path alias resolve in the CLI's bundler.

The functions server is started here, marked like every e2e process (the functions engineer's
supervisor was not on main when this was written)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from console.cli import main
from console.devserver.sanitize import strip_controls
from console.engine import RunRequest
from console.model import Run, RunState
from console.project.facts_cache import clear
from tests.devserver.procs import MARK_VAR
from tests.e2e.conftest import ACME, Acme, free_port, require_node_modules
from tests.migrate.conftest import PROJECTS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SERVE_TIMEOUT_S = 180.0
LINE_TIMEOUT_S = 60.0
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@dataclass
class FunctionsServer:
    """A running `netlify functions:serve` and every line it printed, control sequences gone."""

    process: subprocess.Popen[bytes]
    url: str
    lines: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            with self.lock:
                self.lines.append(strip_controls(raw.decode("utf-8", "replace")).rstrip())

    def mark(self) -> int:
        with self.lock:
            return len(self.lines)

    def since(self, start: int) -> list[str]:
        with self.lock:
            return self.lines[start:]

    def wait_for(self, start: int, done: Callable[[list[str]], bool], what: str) -> list[str]:
        deadline = time.monotonic() + LINE_TIMEOUT_S
        while time.monotonic() < deadline:
            lines = self.since(start)
            if done(lines):
                time.sleep(0.3)  # a handler's last lines may follow the CLI's marker
                return self.since(start)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {what} from {self.url}; it printed: {self.since(0)}")


def _migrated_copy(name: str, source: Path, tmp: Path) -> Path:
    root = tmp / name
    ignore = shutil.ignore_patterns("node_modules", ".next", ".console", ".netlify")
    shutil.copytree(source, root, ignore=ignore)
    (root / "node_modules").symlink_to(ACME / "node_modules", target_is_directory=True)
    clear()
    assert main(["migrate", str(root), "--write"]) == 0
    return root


def _serve(
    root: Path, functions: list[str], mark: str, env: dict[str, str] | None = None
) -> Iterator[FunctionsServer]:
    """`netlify functions:serve --offline`, once it has loaded `functions` and listens."""
    port = free_port()
    command = [str(root / "node_modules" / ".bin" / "netlify"), "functions:serve", "--offline"]

    def ready(lines: list[str]) -> bool:
        loaded = {
            x.split("Loaded function ", 1)[1].strip() for x in lines if "Loaded function " in x
        }
        return set(functions) <= loaded

    extra = {"NETLIFY_TELEMETRY_DISABLED": "1", "BROWSER": "none", **(env or {})}
    yield from _start([*command, "--port", str(port)], root, port, mark, extra, ready)


def _start(
    command: list[str],
    root: Path,
    port: int,
    mark: str,
    env: dict[str, str],
    ready: Callable[[list[str]], bool],
) -> Iterator[FunctionsServer]:
    process = subprocess.Popen(
        command, cwd=root, env={**os.environ, MARK_VAR: mark, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    server = FunctionsServer(process, f"http://127.0.0.1:{port}")
    threading.Thread(target=server.read, daemon=True).start()
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if ready(server.since(0)) and _listening(port):
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"{command[0]} did not get ready: {server.lines}")
        yield server
    finally:
        _stop(process)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server's process group (it is this test's own child, in its own session)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


ACME_FUNCTIONS = [
    "send-emails-background",
    "cleanup",
    "import-csv-background",
    "daily-report",
    "heartbeat",
    "refresh-cache",
    "resize-images-background",
]


@pytest.fixture(scope="module")
def acme_functions(
    e2e_mark: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionsServer]:
    require_node_modules()
    root = _migrated_copy("acme", ACME, tmp_path_factory.mktemp("migrated"))
    yield from _serve(root, ACME_FUNCTIONS, f"{e2e_mark}.functions")


def _post(server: FunctionsServer, name: str, query: str = "", body: bytes = b"{}") -> int:
    response = httpx.post(
        f"{server.url}/.netlify/functions/{name}{query}",
        content=body,
        headers={"content-type": "application/json"},
        timeout=60,
        trust_env=False,
    )
    return response.status_code


def _own(lines: list[str] | tuple[str, ...], prefix: str) -> list[str]:
    """The handler's own lines (each starts with its name), with instants made comparable."""
    return [ISO.sub("<ISO>", line) for line in lines if line.startswith(f"{prefix}: ")]


async def _next_dev_run(acme: Acme, path: str, query: tuple[tuple[str, str], ...] = ()) -> Run:
    route, _ = acme.engine.resolve(path)
    return await acme.engine.run(route, acme.engine.settings.local, RunRequest(query=query))


def _background_ended(lines: list[str]) -> bool:
    """The CLI ends a background run with `Done executing ...`, or with `Error during ...`."""
    return any(
        "Done executing background function" in x or "Error during background function" in x
        for x in lines
    )


def _status_line(lines: list[str]) -> int:
    found = [re.search(r"Response with status (\d+)", line) for line in lines]
    statuses = [int(m.group(1)) for m in found if m]
    assert statuses, lines
    return statuses[-1]


@pytest.mark.asyncio(loop_scope="session")
async def test_a_background_function_does_what_the_background_route_did(
    acme: Acme, acme_functions: FunctionsServer
) -> None:
    name = "send-emails-background"
    run = await _next_dev_run(acme, f"/api/{name}")
    assert run.state is RunState.SUCCEEDED, run.logs
    start = acme_functions.mark()
    status = await asyncio.to_thread(_post, acme_functions, name)
    lines = await asyncio.to_thread(
        acme_functions.wait_for,
        start,
        lambda ls: f"{name}: done" in ls and any("Done executing background" in x for x in ls),
        "end of the background run",
    )
    assert status == 202  # the caller's answer on the platform, played by the console for next dev
    # The adapter's folder is not taken for a function (zip-it-and-ship-it's rule for folders).
    assert not any("Loaded function _lib" in line for line in acme_functions.since(0))
    assert not any("Error during background function" in line for line in lines), lines
    assert _own(lines, name) == _own(run.logs, name)
    assert _own(lines, name) == [
        f"{name}: start",
        f"{name}: step 1/3",
        f"{name}: step 2/3",
        f"{name}: step 3/3",
        f"{name}: done",
    ]


@pytest.mark.asyncio(loop_scope="session")
async def test_a_scheduled_function_does_what_the_scheduled_route_did(
    acme: Acme, acme_functions: FunctionsServer
) -> None:
    run = await _next_dev_run(acme, "/api/cleanup")
    assert run.state is RunState.SUCCEEDED and run.http_status == 200, run.logs
    start = acme_functions.mark()
    status = await asyncio.to_thread(_post, acme_functions, "cleanup")
    lines = await asyncio.to_thread(
        acme_functions.wait_for,
        start,
        lambda ls: "cleanup: done removed=7 expired sessions" in ls,
        "end of the scheduled run",
    )
    # The CLI answers a scheduled function with its own note and logs the function's status.
    assert status == 200
    assert _status_line(lines) // 100 == run.http_status // 100
    assert _own(lines, "cleanup") == _own(run.logs, "cleanup")
    assert _own(lines, "cleanup") == [
        "cleanup: method=POST next_run=<ISO>",
        "cleanup: done removed=7 expired sessions",
    ]


@pytest.mark.asyncio(loop_scope="session")
async def test_a_function_whose_handler_throws_fails_as_the_route_did(
    acme: Acme, acme_functions: FunctionsServer
) -> None:
    name = "import-csv-background"
    run = await _next_dev_run(acme, f"/api/{name}", (("fail", "1"),))
    assert run.state is RunState.FAILED and run.http_status == 500, run.logs
    start = acme_functions.mark()
    status = await asyncio.to_thread(_post, acme_functions, name, "?fail=1")
    lines = await asyncio.to_thread(
        acme_functions.wait_for,
        start,
        _background_ended,
        "end of the failing background run",
    )
    assert status == 202
    errors = [line for line in lines if "Error during background function" in line]
    assert errors and "malformed CSV at row 57" in errors[0], lines
    assert _own(lines, name) == _own(run.logs, name)
    assert _own(lines, name) == [
        f"{name}: start",
        f"{name}: read 120 rows",
        f"{name}: row 57 has 4 columns, expected 5",
    ]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("daily-report", ()),
        ("heartbeat", ()),
        ("refresh-cache", ()),
        ("resize-images-background", (("seconds", "1"),)),
    ],
)
@pytest.mark.asyncio(loop_scope="session")
async def test_every_other_migrated_function_of_the_example_does_what_its_route_did(
    name: str, query: tuple[tuple[str, str], ...], acme: Acme, acme_functions: FunctionsServer
) -> None:
    run = await _next_dev_run(acme, f"/api/{name}", query)
    assert run.state is RunState.SUCCEEDED, run.logs
    expected = _own(run.logs, name)
    assert expected and expected[-1] == f"{name}: done"
    start = acme_functions.mark()
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query) if query else ""
    status = await asyncio.to_thread(_post, acme_functions, name, suffix)
    lines = await asyncio.to_thread(
        acme_functions.wait_for, start, lambda ls: f"{name}: done" in ls, f"end of {name}"
    )
    if name.endswith("-background"):
        assert status == 202
        assert not any("Error during background function" in line for line in lines), lines
    else:
        assert _status_line(lines) // 100 == (run.http_status or 0) // 100 == 2
    assert _own(lines, name) == expected


def test_a_path_alias_import_resolves_in_the_clis_bundler(e2e_mark: str, tmp_path: Path) -> None:
    require_node_modules()
    root = _migrated_copy("ts-alias", PROJECTS / "ts-alias", tmp_path)
    assert "@/lib/mailer" in (root / "lib" / "migrated" / "digest.ts").read_text()
    served = _serve(root, ["digest", "export-background"], f"{e2e_mark}.alias")
    server = next(served)
    try:
        start = server.mark()
        assert _post(server, "digest") == 200
        lines = server.wait_for(start, lambda ls: any("digest: " in x for x in ls), "digest")
        assert _status_line(lines) == 200
        assert "mailer: digest to ana,bo" in lines and "digest: method=POST sent=2" in lines
        start = server.mark()
        body = b'{"rows": ["a", "b", "c"], "fail": true}'
        assert _post(server, "export-background", body=body) == 202
        lines = server.wait_for(start, _background_ended, "end of the export")
        assert "export-background: rows=3" in lines  # the JSON body, parsed as Next parses it
        assert any("export-background: the export failed" in x for x in lines), lines
    finally:
        served.close()


def test_a_javascript_project_with_its_own_functions_folder_runs_under_the_cli(
    e2e_mark: str, tmp_path: Path
) -> None:
    """js-jobs: `.mjs` functions in `functions/` (netlify.toml), a dynamic route whose file name
    has brackets (its id as a query parameter), and an import the move had to adjust."""
    require_node_modules()
    root = _migrated_copy("js-jobs", PROJECTS / "js-jobs", tmp_path)
    served = _serve(root, ["jobs-id-background", "nightly"], f"{e2e_mark}.js")
    server = next(served)
    try:
        start = server.mark()
        assert _post(server, "jobs-id-background", "?id=42") == 202
        lines = server.wait_for(start, _background_ended, "end of the job")
        assert "jobs/[id]: running id=42 steps=2" in lines, lines
        assert not any("Error during background function" in x for x in lines), lines
        start = server.mark()
        assert _post(server, "nightly") == 200
        lines = server.wait_for(start, lambda ls: "nightly: archived 3 items" in ls, "nightly")
        assert _status_line(lines) == 200
    finally:
        served.close()


def test_next_build_accepts_the_migrated_typescript_project(e2e_mark: str, tmp_path: Path) -> None:
    """`next build` (types checked, the `.mts` functions included by this tsconfig) passes after
    migrate, and the only API routes left are the two kept in Next behind the secret."""
    require_node_modules()
    root = _migrated_copy("ts-alias", PROJECTS / "ts-alias", tmp_path)
    env = {**os.environ, MARK_VAR: f"{e2e_mark}.build", "NEXT_TELEMETRY_DISABLED": "1"}
    result = subprocess.run(
        [str(root / "node_modules" / ".bin" / "next"), "build"],
        cwd=root, env=env, capture_output=True, text=True, timeout=280,
    )  # fmt: skip
    out = strip_controls(result.stdout + result.stderr)
    assert result.returncode == 0, out[-4000:]
    assert "checking validity of types" in out
    api = sorted(set(re.findall(r"(/api/[\w-]+)", out)))
    assert api == ["/api/ingest-background", "/api/revalidate-posts"], out[-2000:]


def _request(url: str, *, secret: str | None = None, body: bytes = b"") -> int:
    headers = {"x-migrated-route-secret": secret} if secret is not None else {}
    return httpx.post(url, content=body, headers=headers, timeout=180, trust_env=False).status_code


def test_a_route_kept_in_next_is_not_public_and_its_function_calls_it(
    e2e_mark: str, tmp_path: Path
) -> None:
    """ingest-background reads the raw stream (bodyParser: false), so it stays a Next route:
    under `next dev` it answers 404 without the secret, and its function reaches it with it."""
    require_node_modules()
    root = _migrated_copy("ts-alias", PROJECTS / "ts-alias", tmp_path)
    secret = f"e2e-{uuid.uuid4().hex}"
    next_port = free_port()
    next_dev = _start(
        [str(root / "node_modules" / ".bin" / "next"), "dev", "-p", str(next_port), "-H", "127.0.0.1"],
        root, next_port, f"{e2e_mark}.next",
        {"MIGRATED_ROUTE_SECRET": secret, "NEXT_TELEMETRY_DISABLED": "1"},
        lambda lines: any("ready" in x.lower() for x in lines),
    )  # fmt: skip
    nxt = next(next_dev)
    functions = _serve(
        root, ["ingest-background"], f"{e2e_mark}.proxy",
        {"MIGRATED_ROUTE_SECRET": secret, "MIGRATED_ROUTE_BASE_URL": nxt.url},
    )  # fmt: skip
    try:
        server = next(functions)
        route = f"{nxt.url}/api/ingest-background"
        assert _request(route, body=b"x" * 10) == 404
        assert _request(route, secret="wrong", body=b"x" * 10) == 404
        assert _request(f"{nxt.url}/api/digest") == 404  # moved out of pages/: no route now
        assert _request(f"{nxt.url}/api/revalidate-posts") == 404
        start, next_start = server.mark(), nxt.mark()
        assert _post(server, "ingest-background", body=b"y" * 1000) == 202
        lines = server.wait_for(start, _background_ended, "end of the proxied run")
        assert not any("Error during background function" in x for x in lines), lines
        seen = nxt.wait_for(
            next_start, lambda ls: "ingest-background: bytes=1000" in ls, "the Next route's line"
        )
        assert "ingest-background: bytes=1000" in seen  # the raw body reached the kept handler
    finally:
        functions.close()
        next_dev.close()
