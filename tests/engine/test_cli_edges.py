"""The command line's rough edges (issue 11): the response body of `trigger`, usage errors that
name their subcommand, `history --route/--state`, JSON errors under `--json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from tests.engine.server import Reply, ScriptedServer

HANDLER = "export default function handler(req, res) { res.json({}) }\n"
BACKGROUND = "export const config = { type: 'experimental-background' }\n"


@pytest.fixture
def site(tmp_path: Path, server: ScriptedServer) -> Path:
    api = tmp_path / "site" / "pages" / "api"
    api.mkdir(parents=True)
    (api / "hello.js").write_text(HANDLER)
    (api / "explode.js").write_text(HANDLER)
    (api / "work-background.js").write_text(BACKGROUND + HANDLER)
    root = tmp_path / "site"
    (root / "console.toml").write_text(f'[targets.local]\nkind = "local"\nurl = "{server.url}"\n')
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- trigger shows what the route answered ---------------------------------------------------


def test_trigger_prints_the_first_lines_of_the_body(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply(
        "/api/hello",
        Reply(body=b'{"greeting": "hi", "n": 2}', headers={"content-type": "application/json"}),
    )
    code, out, err = run(capsys, "trigger", str(site), "/api/hello", "--no-dev")
    assert code == 0
    assert out.splitlines() == ["{", '  "greeting": "hi",', '  "n": 2', "}"]
    assert "<- 200 OK" in err  # progress stays on stderr


def test_trigger_cuts_a_long_body_and_says_where_the_rest_is(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f"line {i}\n" for i in range(100)).encode()
    server.reply("/api/hello", Reply(body=body, headers={"content-type": "text/plain"}))
    code, out, err = run(capsys, "trigger", str(site), "/api/hello", "--no-dev")
    assert code == 0
    assert out.splitlines() == [f"line {i}" for i in range(20)]
    assert "the body goes on (790 bytes); --json shows all of it" in err


def test_trigger_body_is_stripped_of_control_sequences(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/api/hello", Reply(body=b"ok \x1b]0;pwned\x07\x1b[31mred\x1b[0m"))
    code, out, _ = run(capsys, "trigger", str(site), "/api/hello", "--no-dev")
    assert code == 0
    assert out == "ok red\n"


def test_trigger_json_has_the_body_up_to_the_stored_limit(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/api/explode", Reply(status=500, body=b"x" * 100_000))
    code, out, _ = run(capsys, "trigger", str(site), "/api/explode", "--no-dev", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["http_status"] == 500
    assert data["body"] == "x" * 64 * 1024
    assert data["body_size"] == 100_000
    assert data["body_truncated"] is True


def test_trigger_json_body_is_null_without_an_answer(
    site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "trigger", str(site), "/api/hello", "--url", "http://127.0.0.1:9", "--json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["state"] == "unreachable" and data["body"] is None


# --- usage errors name their subcommand --------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "prog", "words"),
    [
        (["check", "--json"], "console check", "unrecognized arguments: --json"),
        (["history", ".", "--bogus"], "console history", "unrecognized arguments: --bogus"),
        (["next", "-n", "x"], "console next", "argument -n: invalid int value: 'x'"),
        (["target", "add"], "console target add", "the following arguments are required"),
        (["trigger", "."], "console trigger", "the following arguments are required: ROUTE"),
    ],
)
def test_usage_errors_name_the_subcommand(
    argv: list[str], prog: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith(f"usage: {prog} ")
    assert f"\n{prog}: error: {words}" in err
    if "--json" not in argv:
        assert out == ""


# --- with --json, errors are JSON on stdout ------------------------------------------------------


def test_a_usage_error_under_json_is_a_json_error_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "check", "--json")
    assert code == 2
    assert json.loads(out) == {
        "error": {"message": "console check: unrecognized arguments: --json", "code": "usage"}
    }
    assert "console check: error:" in err  # people still read stderr


def test_a_console_error_under_json_is_a_json_error_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "routes", str(tmp_path / "missing"), "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["code"] == "not-a-project"
    assert "does not exist" in error["message"]
    assert err.startswith("console: ")


def test_a_trigger_usage_error_under_json(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "trigger", str(site), "/api/nope", "--json", "--no-dev")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["code"] == "usage" and "no route /api/nope" in error["message"]


def test_check_format_json_errors_are_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", str(tmp_path / "missing"), "--format", "json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "not-a-project"


def test_without_json_errors_stay_off_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "routes", str(tmp_path / "missing"))
    assert code == 2 and out == "" and err.startswith("console: ")


# --- history filters ---------------------------------------------------------------------------


def test_history_filters_by_route_and_state(
    site: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/api/explode", Reply(status=500, body=b"boom"))
    for route in ("/api/hello", "/api/explode", "/api/hello"):
        run(capsys, "trigger", str(site), route, "--no-dev")

    def ids(*args: str) -> list[tuple[str, str]]:
        code, out, _ = run(capsys, "history", str(site), "--json", *args)
        assert code == 0
        return [(r["route"], r["state"]) for r in json.loads(out)["runs"]]

    assert ids() == [
        ("/api/hello", "succeeded"),
        ("/api/explode", "failed"),
        ("/api/hello", "succeeded"),
    ]
    assert ids("--route", "/api/explode") == [("/api/explode", "failed")]
    assert ids("--state", "failed") == [("/api/explode", "failed")]
    assert ids("--state", "succeeded", "-n", "1") == [("/api/hello", "succeeded")]
    assert ids("--route", "/api/hello", "--state", "failed") == []
    assert len(ids("--state", "failed", "--state", "succeeded")) == 3
    code, out, _ = run(capsys, "history", str(site), "--state", "failed")
    assert code == 0
    rows = out.splitlines()
    assert len(rows) == 2 and "/api/explode" in rows[1] and "failed" in rows[1]


def test_history_state_accepts_words_and_rejects_others(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for spelling in ("timed-out", "timed out", "TIMED_OUT"):
        code, out, _ = run(capsys, "history", str(site), "--state", spelling, "--json")
        assert code == 0 and json.loads(out) == {"runs": []}
    code, out, err = run(capsys, "history", str(site), "--state", "done")
    assert code == 2
    assert "--state 'done' is not a run state; states: queued, accepted" in err
    assert "timed out" in err
