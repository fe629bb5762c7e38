"""`console trigger`, `console history` and `console target`, end to end on a real project folder."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main
from console.settings import load_settings
from tests.engine.server import Reply, ScriptedServer, serving

BACKGROUND_CONFIG = "export const config = { type: 'experimental-background' }\n"
SCHEDULED_CONFIG = "export const config = { type: 'experimental-scheduled', schedule: '@hourly' }\n"
HANDLER = "export default function handler(req, res) { res.json({}) }\n"


@pytest.fixture
def production() -> Iterator[ScriptedServer]:
    """Production is its own server: on the local target's site it would be refused."""
    with serving() as s:
        yield s


@pytest.fixture
def site(tmp_path: Path, server: ScriptedServer, production: ScriptedServer) -> Path:
    api = tmp_path / "site" / "pages" / "api"
    (api / "users").mkdir(parents=True)
    (api / "files").mkdir()
    (api / "hello.js").write_text(HANDLER)
    (api / "sync-background.js").write_text(BACKGROUND_CONFIG + HANDLER)
    (api / "cleanup.js").write_text(SCHEDULED_CONFIG + HANDLER)
    (api / "users" / "[id].js").write_text(HANDLER)
    (api / "files" / "[...path].js").write_text(HANDLER)
    root = tmp_path / "site"
    (root / "console.toml").write_text(
        f'[targets.local]\nkind = "local"\nurl = "{server.url}"\n\n'
        f'[targets.preview]\nkind = "preview"\nurl = "{server.url}"\n'
        'headers = { Authorization = "Bearer ${CONSOLE_TEST_TOKEN}" }\n\n'
        f'[targets.production]\nkind = "production"\nurl = "{production.url}"\n'
    )
    return root


def _trigger(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["trigger", str(site), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_trigger_follows_a_background_run_and_prints_progress(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _trigger(site, capsys, "/api/sync-background", "--data", '{"n": 1}', "--json")
    assert code == 0
    run = json.loads(out)
    assert run["state"] == "succeeded"
    assert run["kind"] == "background"
    assert run["http_status"] == 200
    for key in ("id", "route", "target", "url", "method", "attempts", "started_at",
                "finished_at", "duration_ms", "deadline_s", "logs"):  # fmt: skip
        assert key in run
    # The dev server supervisor may first say it attached to the server already answering.
    lines = [line for line in err.splitlines() if not line.startswith("dev server ")]
    assert lines[0] == f"-> POST {server.url}/api/sync-background (background, deadline 900 s)"
    assert lines[1:4] == ["<- 202 accepted (as the platform answers)", "running…", "<- 200 OK"]
    assert lines[-1].startswith("succeeded in ") and lines[-1].endswith(" s (HTTP 200)")
    assert server.received[0].body == b'{"n": 1}'


def test_exit_codes_follow_the_final_state(
    site: Path,
    server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSOLE_TEST_TOKEN", "t")
    server.reply("/api/hello", Reply(status=500))
    assert _trigger(site, capsys, "/api/hello")[0] == 1
    # A deployed background route that does not answer 202 failed.
    code, out, _ = _trigger(site, capsys, "/api/sync-background", "--target", "preview", "--json")
    assert (code, json.loads(out)["state"]) == (1, "failed")


def test_a_missing_variable_is_a_clear_error(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONSOLE_TEST_TOKEN", raising=False)
    code, _, err = _trigger(site, capsys, "/api/hello", "--target", "preview")
    assert code == 2
    assert err == (
        "console: header 'Authorization' of target 'preview' needs the environment variable "
        "CONSOLE_TEST_TOKEN, which is not set\n"
    )


def test_a_deployed_background_run_ends_at_accepted(
    site: Path,
    server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSOLE_TEST_TOKEN", "tok-very-secret")
    server.reply("/api/sync-background", Reply(status=202, body=b""))
    code, out, err = _trigger(site, capsys, "/api/sync-background", "--target", "preview", "--json")
    assert code == 0
    assert json.loads(out)["state"] == "accepted"
    assert server.received[0].headers["authorization"] == "Bearer tok-very-secret"
    assert "tok-very-secret" not in out + err


def test_production_needs_yes_and_nothing_is_sent_without_it(
    site: Path, production: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _trigger(site, capsys, "/api/hello", "--target", "production")
    assert code == 2
    assert production.received == []
    assert "needs confirmation (--yes on the command line" in err
    code, _, _ = _trigger(site, capsys, "/api/hello", "--target", "production", "--yes")
    assert code == 0
    assert len(production.received) == 1


def test_scheduled_on_a_deployed_target_is_refused_unless_forced(
    site: Path, production: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    production.reply("/api/cleanup", Reply(status=404))
    code, _, err = _trigger(site, capsys, "/api/cleanup", "--target", "production", "--yes")
    assert code == 2
    assert "use --force to send it anyway" in err
    code, _, _ = _trigger(
        site, capsys, "/api/cleanup", "--target", "production", "--yes", "--force"
    )
    assert code == 0


def test_params_and_query(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _trigger(site, capsys, "/api/users/[id]", "--param", "id=7", "--query", "a=b")[0] == 0
    assert _trigger(site, capsys, "/api/files/docs/a.txt")[0] == 0
    assert _trigger(site, capsys, "/api/files/[...path]", "--param", "path=x/y z")[0] == 0
    assert server.paths() == ["/api/users/7?a=b", "/api/files/docs/a.txt", "/api/files/x/y%20z"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["/api/users/[id]"],
            "console: /api/users/[id] needs a value for id: add --param id=VALUE\n",
        ),
        (["/api/helo"], "console: no route /api/helo in the project; closest: /api/hello\n"),
        (
            ["/api/hello", "--target", "staging"],
            "console: unknown target 'staging'; known targets: local, preview, production\n",
        ),
        (
            ["/api/hello", "--data", "{nope"],
            "console: --data is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\n",
        ),
        (["/api/hello", "--param", "x"], "console: --param 'x' must look like NAME=VALUE\n"),
    ],
)
def test_usage_errors_are_one_sentence_and_exit_2(
    site: Path,
    server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, out, err = _trigger(site, capsys, *args)
    assert (code, out, err) == (2, "", message)
    assert server.received == []


def test_unreachable_local_target_exits_1_with_the_dev_server_sentence(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.engine.server import closed_port

    url = f"http://127.0.0.1:{closed_port()}"
    code, out, err = _trigger(site, capsys, "/api/hello", "--url", url, "--json")
    assert code == 1
    assert json.loads(out)["state"] == "unreachable"
    assert (
        f"unreachable: the dev server is not running at {url}: start it with `npm run dev`" in err
    )


def test_data_from_a_file(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"from": "file"}')
    assert _trigger(site, capsys, "/api/hello", "--method", "post", "--data", f"@{body}")[0] == 0
    assert (server.received[0].method, server.received[0].body) == ("POST", b'{"from": "file"}')
    code, _, err = _trigger(site, capsys, "/api/hello", "--data", f"@{tmp_path / 'none.json'}")
    assert code == 2 and "cannot read" in err


def test_a_server_that_never_answers_is_timed_out(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    with (site / "console.toml").open("a") as f:
        f.write("\n[limits]\napi = 0.3\n")
    try:
        code, out, err = _trigger(site, capsys, "/api/hello", "--json")
    finally:
        release.set()
    assert code == 1
    assert json.loads(out)["state"] == "timed_out"
    assert "timed out: no answer within 0.3 s; the request was aborted" in err


def test_history_lists_runs_newest_first(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    for route in ("/api/hello", "/api/sync-background", "/api/cleanup"):
        _trigger(site, capsys, route)
    assert main(["history", str(site), "-n", "2", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["route"] for r in runs] == ["/api/cleanup", "/api/sync-background"]
    assert main(["history", str(site)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].split() == ["ID", "WHEN", "ROUTE", "TARGET", "STATE", "HTTP", "TOOK", "REASON"]
    assert [line.split()[3] for line in text[1:]] == [
        "/api/cleanup",
        "/api/sync-background",
        "/api/hello",
    ]


def test_history_of_a_fresh_folder_is_empty_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"runs": []}
    assert list(tmp_path.iterdir()) == []
    assert main(["history", str(tmp_path / "missing")]) == 2


def test_target_add_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "package.json").write_text("{}")
    root = str(tmp_path)
    assert main(["target", "add", root, "preview", "https://p.example", "--kind", "preview",
                 "--header", "Authorization=Basic ${PREVIEW_AUTH}", "--header", "X-Env=stage"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["target", "list", root, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["targets"]
    assert listed == [
        {"name": "local", "kind": "local", "url": "http://localhost:3000", "headers": {}, "follow_redirects": False,
         "configured": False},
        {"name": "preview", "kind": "preview", "url": "https://p.example",
         "headers": {"Authorization": "***", "X-Env": "stage"}, "follow_redirects": False, "configured": True},
    ]  # fmt: skip
    assert main(["target", "list", root]) == 0
    text = capsys.readouterr().out
    assert "preview  preview     https://p.example  [Authorization: ***, X-Env: stage]" in text
    assert "PREVIEW_AUTH" not in text
    assert main(["target", "remove", root, "preview"]) == 0
    assert [t.name for t in load_settings(tmp_path).targets] == ["local"]
    capsys.readouterr()
    assert main(["target", "remove", root, "preview"]) == 2
    assert "no target 'preview'" in capsys.readouterr().err
    assert main(["target", "add", root, "x", "not-a-url", "--kind", "preview"]) == 2


def test_target_add_warns_about_a_literal_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "package.json").write_text("{}")
    assert main(["target", "add", str(tmp_path), "p", "https://p.example", "--kind", "preview",
                 "--header", "Authorization=Basic abc"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "header Authorization is stored as written" in err
    assert "abc" not in err


def test_target_add_outside_a_project_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `console target add NAME URL` run from the wrong folder used to leave a console.toml there.
    assert (
        main(["target", "add", str(tmp_path), "p", "https://p.example", "--kind", "preview"]) == 2
    )
    assert "give the project folder first" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_records_the_run_as_cancelled_and_exits_130(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal
    import subprocess
    import sys
    import time

    import console
    from tests.devserver.procs import take_sigint

    release = threading.Event()
    server.reply("/api/hello", Reply(hang=release))
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "trigger", str(site), "/api/hello"],
        cwd=Path(console.__file__).parent.parent,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=take_sigint,  # a Ctrl+C must reach it even when pytest ignores SIGINT
    )
    try:
        deadline = time.monotonic() + 60
        while not server.received:
            assert time.monotonic() < deadline, "the request never arrived"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert err.splitlines()[-1] == "cancelled"
    assert main(["history", str(site), "--json"]) == 0
    [run] = json.loads(capsys.readouterr().out)["runs"]
    assert run["state"] == "cancelled"
    # The request was aborted; a Next.js handler goes on, and the reason says so.
    assert run["reason"].startswith("cancelled: the request was aborted")
    assert "may still be running in the dev server" in run["reason"]
