"""A token in a `${VAR}` header is never written anywhere the console writes: history, logs,
screenshots, `--json`, error messages and tracebacks. Every artifact of a session is grepped.

The servers are as unhelpful as real ones get: the preview echoes the request's headers back
(body and a response header), and the dev server prints every header it receives.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.engine import Engine, RunStore, history_path
from console.project import discover
from console.settings import load_settings
from console.ui.app import create_app
from tests.devserver.conftest import free_port
from tests.engine.server import Received, Reply, ScriptedServer, serving
from tests.faults.conftest import API, DEFAULT_ROUTES, FAULT_DIR, Result, cli, make_project
from tests.faults.figures import Figures

TOKEN = "tk-4f9a1c77e2b5-SECRET"


def echo(got: Received) -> Reply:
    """What httpbin's /headers does: the request's headers, back in the body and a header."""
    status = 500 if got.path.startswith("/api/fail") else 200
    body = json.dumps({"headers": got.headers}).encode()
    return Reply(
        status=status, body=body, headers={"x-echo-auth": got.headers.get("authorization", "")}
    )


@pytest.fixture
def servers() -> Iterator[tuple[ScriptedServer, ScriptedServer]]:
    with serving() as preview, serving() as production:
        preview.default = echo
        production.default = echo
        yield preview, production


def secret_project(root: Path, preview: str, production: str, dev_port: int) -> Path:
    toml = f"""
[targets.local.headers]
X-Api-Key = "${{TOKEN}}"

[targets.preview]
kind = "preview"
url = "{preview}"
headers = {{ Authorization = "Bearer ${{TOKEN}}", "X-Trace" = "plain-value" }}

[targets.production]
kind = "production"
url = "{production}"
headers = {{ Authorization = "Bearer ${{TOKEN}}" }}
"""
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --log-headers"
    routes = {**DEFAULT_ROUTES, "users/[id]": API}
    return make_project(
        root, url=f"http://127.0.0.1:{dev_port}", dev_command=command, routes=routes, toml=toml
    )


def session(root: Path, env: dict[str, str]) -> list[Result]:
    """Every command a user might run in a session, its output kept."""
    p = str(root)
    runs = [
        ("trigger", p, "/api/hello", "--json"),  # local: the dev server prints the header
        ("trigger", p, "/api/work-background", "--json"),
        ("trigger", p, "/api/hello", "--target", "preview", "--json"),
        ("trigger", p, "/api/fail", "--target", "preview", "--json"),
        ("trigger", p, "/api/hello", "--target", "production"),  # refused: no --yes
        ("trigger", p, "/api/hello", "--target", "production", "--yes", "--json"),
        ("trigger", p, "/api/users/[id]", "--target", "preview"),  # usage error
        ("--debug", "trigger", p, "/api/users/[id]", "--target", "preview"),  # a traceback
        ("--debug", "trigger", p, "/api/nope", "--target", "preview"),
        ("history", p),
        ("history", p, "--json"),
        ("target", "list", p),
        ("target", "list", p, "--json"),
        ("routes", p, "--json"),
        ("check", p, "--format", "json"),
    ]
    return [cli(*args, env=env) for args in runs]


def test_the_token_is_in_no_artifact(
    tmp_path: Path, servers: tuple[ScriptedServer, ScriptedServer], figures: Figures
) -> None:
    preview, production = servers
    root = secret_project(tmp_path / "site", preview.url, production.url, free_port())
    results = session(root, {"TOKEN": TOKEN})
    # The token did go where it had to: it is expanded at send time, so the test is not empty.
    assert preview.received[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert production.received[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert len(production.received) == 1  # the unconfirmed one was not sent
    assert results[0].code == 0, results[0].stderr
    # The dev server printed the header it got; the console shows and keeps it redacted.
    assert "/api/hello header X-Api-Key: ***" in results[0].stderr
    for r in results:
        assert "Traceback" not in r.stderr or r.args[0] == "--debug"
    traceback = results[7].stderr
    assert "Traceback" in traceback  # --debug shows one; it must not carry the token either
    shots = screenshots(root, tmp_path / "shots", {"TOKEN": TOKEN})
    leaks = find_token(root, tmp_path / "shots", results)
    figures.inputs("secrets", len(results) + len(shots))
    assert leaks == [], "\n".join(leaks)
    shown = json.dumps(cli("target", "list", str(root), "--json").json())
    assert '"Authorization": "***"' in shown and '"X-Trace": "plain-value"' in shown


def test_a_dev_server_that_dies_quoting_the_token_is_quoted_redacted(
    tmp_path: Path, figures: Figures
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --log-headers --die-after-request"
    toml = '[targets.local.headers]\nX-Api-Key = "${TOKEN}"\n'
    root = make_project(tmp_path / "site", url=url, dev_command=command, toml=toml)
    r = cli("trigger", str(root), "/api/hello", "--json", env={"TOKEN": TOKEN}).assert_clean()
    figures.inputs("secrets")
    assert r.code == 1
    assert "dev server crashed: the dev server exited with code 3: /api/hello header " in r.stderr
    assert "X-Api-Key: ***" in r.stderr
    leaks = find_token(root, tmp_path / "none", [r])
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize(
    "bad",
    [f"{TOKEN}\r\nX-Injected: yes", f"{TOKEN}\nX-Injected: yes", f"{TOKEN}-zoë", f"{TOKEN}\x1b[2J"],
    ids=["crlf", "lf", "non-ascii", "escape"],
)
def test_a_token_a_header_cannot_carry_is_refused_without_showing_it(
    tmp_path: Path, servers: tuple[ScriptedServer, ScriptedServer], figures: Figures, bad: str
) -> None:
    """Before: CR/LF reached the HTTP library, whose error quoted the whole value into the run's
    reason; a non-ASCII value failed inside the console with a traceback in the log."""
    preview, production = servers
    root = secret_project(tmp_path / "site", preview.url, production.url, free_port())
    r = cli("trigger", str(root), "/api/hello", "--target", "preview", "--json", env={"TOKEN": bad})
    r.assert_clean()
    figures.inputs("secrets")
    assert r.code == 2
    assert r.stderr.strip() == (
        "console: header 'Authorization' of target 'preview': the environment variable TOKEN "
        "holds a line break, control or non-ASCII character, which a header cannot carry"
    )
    assert preview.received == []
    leaks = find_token(root, tmp_path / "none", [r])
    assert leaks == [], "\n".join(leaks)


def test_a_literal_header_a_request_cannot_carry_is_a_settings_error(
    tmp_path: Path, figures: Figures
) -> None:
    toml = '[targets.preview]\nkind = "preview"\nurl = "http://127.0.0.1:9"\n'
    toml += 'headers = { "X-Name" = "Zoë" }\n'
    root = make_project(tmp_path / "site", toml=toml)
    r = cli("trigger", str(root), "/api/hello", "--target", "preview").assert_clean()
    figures.inputs("secrets")
    assert r.code == 2
    assert r.stderr.startswith(
        "console: `targets.preview.headers.X-Name` must be a one-line string of printable ASCII"
    )
    fresh = make_project(tmp_path / "fresh")
    added = cli("target", "add", str(fresh), "p2", "http://127.0.0.1:9", "--kind", "preview",
                "--header", "X-Name=Zoë").assert_clean()  # fmt: skip
    assert added.code == 2
    assert added.stderr.strip() == (
        "console: header 'X-Name' is not a valid one-line HTTP header (printable ASCII only)"
    )


def screenshots(root: Path, folder: Path, env: dict[str, str]) -> list[Path]:
    """The screen after a preview run and with its detail open, saved as SVG, with env set."""
    import asyncio

    folder.mkdir(parents=True, exist_ok=True)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return asyncio.run(_screenshots(root, folder))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def _screenshots(root: Path, folder: Path) -> list[Path]:
    from console.ui.screens.dialogs import ConfirmDialog
    from tests.ui.conftest import wait_for
    from tests.ui.test_keys import select_route

    store = RunStore(history_path(root))
    engine = Engine(discover(root), load_settings(root), store)
    app = create_app(engine, start_dev=False, target="preview")
    shots = []
    try:
        async with app.run_test(size=(160, 50), notifications=True) as pilot:
            select_route(app, "/api/hello")
            await pilot.press("t")
            await wait_for(pilot, lambda: any(r.state.final for r in app.main.runs.values()))
            await pilot.pause(0.2)
            shots.append(Path(app.save_screenshot(path=str(folder), filename="main.svg")))
            await pilot.press("v")
            await pilot.pause(0.3)
            shots.append(Path(app.save_screenshot(path=str(folder), filename="detail.svg")))
            await pilot.press("escape")
            await pilot.press("p")  # production: the confirm dialog shows the request
            assert app.main.target.name == "production"
            await pilot.press("t")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            shots.append(Path(app.save_screenshot(path=str(folder), filename="confirm.svg")))
            await pilot.press("y")
            await pilot.pause(0.5)
            shots.append(Path(app.save_screenshot(path=str(folder), filename="after.svg")))
    finally:
        store.close()
    return shots


def find_token(root: Path, shots: Path, results: list[Result]) -> list[str]:
    """Every place the token (or its URL-encoded, JSON-escaped or base64 forms) appears."""
    import base64
    from urllib.parse import quote

    forms = {TOKEN, quote(TOKEN), TOKEN.encode().hex(), base64.b64encode(TOKEN.encode()).decode()}
    found: list[str] = []
    for folder in (root, shots):
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file() and "node_modules" not in path.parts:
                data = path.read_bytes()
                found += [f"{path}: {f!r}" for f in forms if f.encode() in data]
    for r in results:
        for name, text in (("stdout", r.stdout), ("stderr", r.stderr)):
            found += [f"{' '.join(r.args)} {name}: {f!r}" for f in forms if f in text]
    return found


# --- credentials in a target's URL -----------------------------------------------------------

PW_ALICE = "pw-alice-7c1e90aa"
PW_BOB = "pw-bob-d3a4f2bb"
PW_CAROL = "pw-carol-51e6c0cc"
PW_DAVE = "pw-dave-0b9e77dd"
PW_ERIN = "pw-erin-8f2d11ee"
USERS = {"alice": PW_ALICE, "bob": PW_BOB, "carol": PW_CAROL, "dave": PW_DAVE}


def basic(user: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{USERS[user]}".encode()).decode()


def credential_forms() -> dict[str, str]:
    """What would betray a URL's password: as written, encoded, `user:pass`, its Basic value."""
    from urllib.parse import quote

    forms: dict[str, str] = {}
    for user, pw in USERS.items():
        for form in (pw, quote(pw), f"{user}:{pw}", basic(user).removeprefix("Basic ")):
            forms[form] = user
    return forms


def test_credentials_in_a_target_url_are_in_no_artifact(
    tmp_path: Path, servers: tuple[ScriptedServer, ScriptedServer], figures: Figures
) -> None:
    """Before: `target add`, `target list` (and --json) printed the password, the Basic value a
    server echoed landed in `attempts.body`, and `--url http://bob:…@host` on a configured
    target's site sent that target's headers."""
    from tests.engine.server import closed_port

    preview, production = servers
    at = f"127.0.0.1:{preview.port}"
    toml = f"""
[targets.preview]
kind = "preview"
url = "http://alice:{PW_ALICE}@{at}"
headers = {{ "X-Preview-Key" = "${{TOKEN}}" }}

[targets.production]
kind = "production"
url = "http://carol:{PW_CAROL}@localhost:{production.port}"
"""
    routes = {**DEFAULT_ROUTES, "users/[id]": API}
    root = make_project(tmp_path / "site", routes=routes, toml=toml)
    fresh = make_project(tmp_path / "fresh")
    p = str(root)
    bob = f"http://bob:{PW_BOB}@{at}"
    env = {"TOKEN": TOKEN}
    runs = [
        ("target", "add", str(fresh), "staging", f"http://dave:{PW_DAVE}@{at}/s", "--kind",
         "preview"),
        ("target", "list", str(fresh)),
        ("target", "list", p),
        ("target", "list", p, "--json"),
        ("trigger", p, "/api/hello", "--target", "preview", "--json"),  # [4] alice
        ("trigger", p, "/api/hello", "--url", bob, "--json"),  # [5] bob, on preview's site
        ("trigger", p, "/api/fail", "--url", bob, "--json"),
        ("trigger", p, "/api/hello", "--url", f"http://bob:{PW_BOB}@127.0.0.1:{closed_port()}",
         "--no-dev", "--json"),
        ("trigger", p, "/api/hello", "--url", f"ftp://bob:{PW_BOB}@{at}"),  # usage error
        ("--debug", "trigger", p, "/api/users/[id]", "--url", bob),  # a traceback
        ("trigger", p, "/api/hello", "--target", "production"),  # refused
        ("trigger", p, "/api/hello", "--target", "production", "--yes", "--json"),  # [11] carol
        ("history", p),
        ("history", p, "--json"),
    ]  # fmt: skip
    results = [cli(*args, env=env) for args in runs]
    for r in results:
        assert "Traceback" not in r.stderr or r.args[0] == "--debug", r.stderr
    assert "Traceback" in results[9].stderr
    assert [r.code for r in results[4:6]] == [0, 0], results[4].stderr + results[5].stderr
    # Each address sent its own credentials, and bob's never took the preview's headers.
    got = [g.headers for g in preview.received if g.path == "/api/hello"]
    assert got[0]["authorization"] == basic("alice") and got[0]["x-preview-key"] == TOKEN
    assert got[1]["authorization"] == basic("bob") and "x-preview-key" not in got[1]
    assert [g.headers["authorization"] for g in production.received] == [basic("carol")]
    assert results[5].json()["url"] == f"http://***@{at}/api/hello"
    assert results[3].json()["targets"][1]["url"] == f"http://***@{at}"
    assert f"-> http://***@{at}/s saved in" in results[0].stdout
    shots = screenshots(root, tmp_path / "shots", env)
    figures.inputs("secrets", len(results) + len(shots))
    forms = credential_forms()
    leaks: list[str] = []
    for folder in (root, fresh, tmp_path / "shots"):
        for path in sorted(folder.rglob("*")):
            # console.toml holds the URL as the user wrote it: that is their file, not ours.
            if path.is_file() and path.name != "console.toml" and "node_modules" not in path.parts:
                data = path.read_bytes()
                leaks += [f"{path}: {f!r}" for f in forms if f.encode() in data]
    for r in results:
        for name, text in (("stdout", r.stdout), ("stderr", r.stderr)):
            leaks += [f"{' '.join(r.args)} {name}: {f!r}" for f in forms if f in text]
    assert leaks == [], "\n".join(leaks)


def test_credentials_in_the_local_url_stay_out_of_the_dev_servers_words(
    tmp_path: Path, figures: Figures
) -> None:
    """The console starts the dev server at a local URL with `user:pass@`; the server prints
    every header it gets (the Basic value among them), then a run fails against a dead port."""
    port = free_port()
    command = f"{sys.executable} {FAULT_DIR / 'fake_dev.py'} --log-headers"
    root = make_project(
        tmp_path / "site", url=f"http://erin:{PW_ERIN}@127.0.0.1:{port}", dev_command=command
    )
    results = [
        cli("trigger", str(root), "/api/hello", "--json").assert_clean(),
        cli("history", str(root), "--json").assert_clean(),
        cli("target", "list", str(root), "--json").assert_clean(),
    ]
    figures.inputs("secrets", len(results))
    assert results[0].code == 0, results[0].stderr
    assert "/api/hello header Authorization: Basic ***" in results[0].stderr
    assert f"http://***@127.0.0.1:{port}" in results[0].stderr
    import base64

    forms = {PW_ERIN, f"erin:{PW_ERIN}", base64.b64encode(f"erin:{PW_ERIN}".encode()).decode()}
    leaks = [
        f"{path}: {f!r}"
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != "console.toml"
        for f in forms
        if f.encode() in path.read_bytes()
    ]
    leaks += [f"{r.args} {f!r}" for r in results for f in forms if f in r.stdout + r.stderr]
    assert leaks == [], "\n".join(leaks)
