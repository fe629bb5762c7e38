"""Targets that misbehave: every one ends as a run state with one clear sentence, in bounded time
and memory, and the console exits with the run's code; never a traceback or a hang."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.server import DATA, Reply, serving
from tests.faults import hostile_servers as hs
from tests.faults.conftest import REPO, Result, cli, make_project
from tests.faults.figures import Figures
from tests.faults.measured import parse_peak

LIMITS = "[limits]\napi = 1.5\n"


def preview_project(root: Path, url: str, extra: str = "") -> Path:
    toml = f'[targets.preview]\nkind = "preview"\nurl = "{url}"\n{extra}\n{LIMITS}'
    return make_project(root, toml=toml)


def measured_trigger(root: Path, *args: str) -> tuple[Result, int]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.faults.measured", "trigger", str(root), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    result = Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)
    return result, parse_peak(proc.stderr)


CASES = [
    # behaviour, state, words of the reason
    (hs.slowloris_headers, "timed_out", "no answer within 1.5 s; the request was aborted"),
    (hs.endless_body, "timed_out", "no answer within 1.5 s; the request was aborted"),
    (hs.short_body_then_close, "failed", "broke before the response was complete"),
    (hs.short_body_then_stall, "timed_out", "no answer within 1.5 s"),
    (hs.bad_content_length, "failed", "broke before the response was complete"),
    (hs.two_content_lengths, "failed", "broke before the response was complete"),
    (hs.not_http, "failed", "broke before the response was complete"),
    (hs.close_at_once, "failed", "broke before the response was complete"),
    (hs.huge_header, "failed", "broke before the response was complete"),
    (hs.redirect_loop, "failed", "more than 10 redirects"),
    (hs.long_body, "succeeded", None),
]


@pytest.mark.parametrize(
    ("behaviour", "state", "reason"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_a_misbehaving_target_is_a_run_state(
    tmp_path: Path, figures: Figures, behaviour: hs.Behaviour, state: str, reason: str | None
) -> None:
    with hs.raw_server(behaviour) as server:
        root = preview_project(tmp_path / "site", server.url)
        result, peak_kb = measured_trigger(root, "/api/hello", "--target", "preview", "--json")
    figures.inputs("hostile targets")
    result.assert_clean()
    run = result.json()
    assert run["state"] == state, run
    assert result.code == (0 if state == "succeeded" else 1)
    if reason is not None:
        assert reason in run["reason"]
        assert "\n" not in run["reason"]
    # What it read is bounded: the endless body streamed gigabytes past a 64 KB buffer.
    assert peak_kb < 150_000, f"peak memory {peak_kb} kB"
    history = cli("history", str(root), "--json").assert_clean().json()
    assert history["runs"][0]["state"] == state


def test_an_endless_body_costs_no_more_memory_than_a_small_one(
    tmp_path: Path, figures: Figures
) -> None:
    with hs.raw_server(hs.ok) as small:
        root = preview_project(tmp_path / "small", small.url)
        _, baseline = measured_trigger(root, "/api/hello", "--target", "preview")
    with hs.raw_server(hs.endless_body) as endless:
        root = preview_project(tmp_path / "endless", endless.url)
        result, peak = measured_trigger(root, "/api/hello", "--target", "preview", "--json")
    figures.inputs("hostile targets")
    assert result.json()["state"] == "timed_out"
    assert peak - baseline < 30_000, f"{baseline} kB for 2 bytes, {peak} kB for an endless body"


def test_control_characters_in_the_response_head_are_not_shown(
    tmp_path: Path, figures: Figures
) -> None:
    with hs.raw_server(hs.control_characters_in_the_head) as server:
        root = preview_project(tmp_path / "site", server.url)
        r = cli("trigger", str(root), "/api/hello", "--target", "preview").assert_clean()
    figures.inputs("hostile targets")
    assert "\x1b" not in r.stdout + r.stderr
    assert "PWNED" not in r.stdout + r.stderr
    shown = cli("history", str(root)).assert_clean()
    assert "\x1b" not in shown.stdout


def test_a_self_signed_certificate_is_refused_unless_insecure(
    tmp_path: Path, figures: Figures
) -> None:
    with serving(tls=True) as tls:
        root = preview_project(tmp_path / "site", tls.url)
        refused = cli("trigger", str(root), "/api/hello", "--target", "preview", "--json")
        refused.assert_clean()
        assert refused.code == 1
        run = refused.json()
        assert run["state"] == "unreachable"
        assert run["reason"] == (
            f"the TLS certificate of {tls.url} could not be verified "
            "(use --insecure to skip the check)"
        )
        assert tls.received == []  # nothing was sent over the unverified connection
        ok = cli("trigger", str(root), "/api/hello", "--target", "preview", "--insecure", "--json")
        ok.assert_clean()
        assert ok.code == 0 and ok.json()["state"] == "succeeded"
        assert [r.path for r in tls.received] == ["/api/hello"]
    figures.inputs("hostile targets", 2)
    assert (DATA / "selfsigned.pem").exists()


def _ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_an_ipv6_loopback_target(tmp_path: Path, figures: Figures) -> None:
    with hs.raw_server(hs.ok, host="::1") as server:
        assert server.url.startswith("http://[::1]:")
        root = make_project(tmp_path / "site", url=server.url)
        by_target = cli("trigger", str(root), "/api/hello", "--no-dev", "--json").assert_clean()
        by_url = cli(
            "trigger", str(root), "/api/hello", "--url", server.url, "--no-dev", "--json"
        ).assert_clean()
        assert len(server.requests) == 2
    figures.inputs("hostile targets", 2)
    for r in (by_target, by_url):
        assert r.code == 0, r.stderr
        run = r.json()
        assert run["state"] == "succeeded"
        assert run["url"] == f"{server.url}/api/hello"
    assert server.requests[0].startswith(b"GET /api/hello HTTP/1.1\r\n")
    assert b"host: [::1]:" in server.requests[0].lower()


def test_a_redirect_to_another_host_keeps_the_targets_headers_home(
    tmp_path: Path, figures: Figures
) -> None:
    token = "tok-redirect-5b1e0c"
    with serving() as other, serving() as home:
        elsewhere = other.url.replace("127.0.0.1", "localhost")
        home.reply("/api/hello", Reply(status=301, headers={"location": f"{elsewhere}/landed"}))
        headers = (  # another origin: followed only because the target opts in
            "follow_redirects = true\n"
            '[targets.preview.headers]\nAuthorization = "Bearer ${TOKEN}"\nX-Token = "${TOKEN}"\n'
        )
        root = preview_project(tmp_path / "site", home.url, headers)
        r = cli(
            "trigger", str(root), "/api/hello", "--target", "preview", "--json",
            env={"TOKEN": token},
        ).assert_clean()  # fmt: skip
        assert r.code == 0, r.stderr
        [sent] = home.received
        [landed] = other.received
    figures.inputs("hostile targets")
    assert sent.headers["authorization"] == f"Bearer {token}"
    assert landed.path == "/landed"
    assert "authorization" not in landed.headers
    assert "x-token" not in landed.headers
    assert token not in json.dumps(landed.headers)
