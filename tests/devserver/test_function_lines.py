"""The Netlify CLI's lines: what they mean, and which run each belongs to.

The transcripts are what netlify-cli 27.10.2 printed here for the example's functions (colours
stripped as the line reader strips them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.devserver.function_lines import (
    CliEvent,
    CliLine,
    FunctionLogAttributor,
    FunctionRun,
    parse_cli_line,
)

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
BG = "process-upload-background"


def run(run_id: str, function: str, seconds: float = 0, attempt: int = 1) -> FunctionRun:
    return FunctionRun(
        run_id,
        function,
        f"/.netlify/functions/{function}",
        T0 + timedelta(seconds=seconds),
        attempt,
    )


@pytest.mark.parametrize(
    ("line", "meaning"),
    [
        (
            f"Request from ::ffff:127.0.0.1: POST /.netlify/functions/{BG}?fail=1",
            CliLine(CliEvent.REQUEST, path=f"/.netlify/functions/{BG}"),
        ),
        (f"⬥ Queueing background function {BG} for execution", CliLine(CliEvent.QUEUED, BG)),
        (f"⬥ Done executing background function {BG}", CliLine(CliEvent.DONE, BG)),
        (
            f"⬥ Error during background function {BG} execution: Error: {BG}: the upload is corrupt",
            CliLine(CliEvent.ERROR, BG, message=f"Error: {BG}: the upload is corrupt"),
        ),
        (
            "⬥ Function explode has returned an error: explode: this function always fails",
            CliLine(CliEvent.SYNC_ERROR, "explode", message="explode: this function always fails"),
        ),
        ("Response with status 202 in 1 ms.", CliLine(CliEvent.RESPONSE, status=202)),
        ("⬥ Loaded function nightly-digest", CliLine(CliEvent.NOTICE)),
        ("⬥ Ignored general context env var: LANG (defined in process)", CliLine(CliEvent.NOTICE)),
        (f"{BG}: chunk 1/3 scanned", None),
        ("Request from nowhere", None),
        ("a function saying Done executing background function x", None),
    ],
)
def test_the_clis_lines_are_read(line: str, meaning: CliLine | None) -> None:
    assert parse_cli_line(line) == meaning


def test_a_background_run_gets_its_lines_and_its_end_marker() -> None:
    a = FunctionLogAttributor()
    runs = [run("r1", BG)]
    transcript = [
        f"Request from ::ffff:127.0.0.1: POST /.netlify/functions/{BG}",
        f"⬥ Queueing background function {BG} for execution",
        "Response with status 202 in 1 ms.",
        f"{BG}: start bytes=0",
        f"{BG}: chunk 1/3 scanned",
        f"⬥ Done executing background function {BG}",
        f"{BG}: done",  # after the marker, as the CLI prints it at times
    ]
    got = [a.attribute(line, runs) for line in transcript]
    assert [run_id for run_id, _ in got] == ["r1"] * len(transcript)
    assert got[5][1] == CliLine(CliEvent.DONE, BG)


def test_notices_are_never_a_runs_even_with_one_in_flight() -> None:
    a = FunctionLogAttributor()
    assert a.attribute("⬥ Loaded function explode", [run("r1", BG)]) == (
        None,
        CliLine(CliEvent.NOTICE),
    )


def test_with_two_runs_named_lines_go_to_theirs_and_anonymous_ones_nowhere() -> None:
    a = FunctionLogAttributor()
    runs = [run("bg", BG), run("boom", "explode", 1)]
    assert a.attribute(f"Request from ::1: POST /.netlify/functions/{BG}", runs)[0] == "bg"
    assert a.attribute(f"⬥ Queueing background function {BG} for execution", runs)[0] == "bg"
    # The response printed right after the line that named a run is that run's.
    assert a.attribute("Response with status 202 in 1 ms.", runs)[0] == "bg"
    assert a.attribute("Request from ::1: GET /.netlify/functions/explode", runs)[0] == "boom"
    assert a.attribute("explode: about to throw", runs)[0] is None
    assert a.attribute("", runs)[0] is None
    line = "⬥ Function explode has returned an error: explode: this function always fails"
    assert a.attribute(line, runs)[0] == "boom"
    # The stack and the blank line after it stay with the error.
    assert a.attribute("    at Object.explode_default [as handler] (explode.mjs:5:9)", runs)[0] == (
        "boom"
    )
    assert a.attribute("", runs)[0] == "boom"
    # Only the explode request waits for its answer now.
    assert a.attribute("Response with status 500 in 203 ms.", runs)[0] == "boom"
    assert a.attribute(f"⬥ Done executing background function {BG}", runs)[0] == "bg"


def test_two_runs_of_one_function_end_in_the_order_they_were_sent() -> None:
    a = FunctionLogAttributor()
    runs = [run("second", BG, 2), run("first", BG, 1)]
    done = f"⬥ Done executing background function {BG}"
    assert a.attribute(done, runs)[0] == "first"
    assert a.attribute(done, runs)[0] == "second"


def test_a_retry_is_a_new_request_with_its_own_markers() -> None:
    a = FunctionLogAttributor()
    error = f"⬥ Error during background function {BG} execution: Error: boom"
    assert a.attribute("Response with status 202 in 1 ms.", [run("r", BG)])[0] == "r"
    assert a.attribute(error, [run("r", BG)])[0] == "r"
    assert a.attribute(error, [run("r", BG)])[0] is None  # attempt 1 has ended already
    assert a.attribute("Response with status 202 in 1 ms.", [run("r", BG, attempt=2)])[0] == "r"
    assert a.attribute(error, [run("r", BG, attempt=2)]) == (
        "r",
        CliLine(CliEvent.ERROR, BG, message="Error: boom"),
    )
