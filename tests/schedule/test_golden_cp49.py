"""The console agrees with the real cron-parser 4.9.0, recorded in data/cp49_golden.json.

The file holds ~700 expressions (hand-picked edge cases and a seeded random corpus) with what
cron-parser said: its parse error, or its next fires from several instants (utc: true). It is
rebuilt by make_golden.py. Where the console is deliberately stricter than cron-parser, the
reason must be one of STRICTER, each explained in docs/decisions/schedule.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.errors import CronError
from console.schedule import next_fires, parse_cron
from tests.schedule.reference import RefError, ref_fires, ref_parse, utc

GOLDEN: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "cp49_golden.json").read_text()
)

# Forms cron-parser accepts (or accepts at parse time and fails on later) that the console rejects.
STRICTER = (
    "never fires",  # cron-parser accepts, then loops to its limit on next()
    "needs a weekday before it",  # `L` alone in day-of-week: cron-parser throws on next()
    "not L5",  # croniter's `L5`: cron-parser throws on next()
    "nL is a day-of-week form",  # `5L` in day-of-month: cron-parser silently reads it as `L`
    "L (last day) cannot take a step",  # `L/2`: cron-parser silently drops the step
    "? must stand alone",  # `?/2`: cron-parser reads `1-31/2`
    "is not a range like 1-5",  # `5-`, `0-`, `1-2-3`: cron-parser reads 5-0, 0-0, 1-2
    "# needs one weekday before it",  # `*#2` (days 8-14) and `5L#2`
    "surrounding spaces",  # ` @daily`: cron-parser fails too, with an alias error
    "the schedule is empty",  # cron-parser reads "" as every minute; the runtime says it is required
)


def _iso(ts: list[Any]) -> list[str]:
    return [t.isoformat().replace("+00:00", ".000Z") for t in ts]


def test_the_golden_file_covers_the_edge_cases() -> None:
    exprs = {g["expr"] for g in GOLDEN}
    assert len(GOLDEN) > 600
    for must in ("0 0 31 2 *", "0 0 * * 5L", "0 0 * * 1#2", "30 0 0 * * *", "0 0 * * 2/2"):
        assert must in exprs


@pytest.mark.parametrize("case", GOLDEN, ids=[repr(g["expr"]) for g in GOLDEN])
def test_console_matches_cron_parser(case: dict[str, Any]) -> None:
    expr = case["expr"]
    try:
        spec = parse_cron(expr)
    except CronError as exc:
        if case["error"] is None:
            assert any(s in str(exc) for s in STRICTER), f"cron-parser accepts {expr!r}: {exc}"
            if "never fires" in str(exc):
                assert all(r["error"] and "loop limit" in r["error"] for r in case["runs"])
        return
    assert case["error"] is None, f"cron-parser rejects {expr!r} ({case['error']})"
    for run in case["runs"]:
        got = _iso(next_fires(spec, utc(run["from"]), len(run["fires"]) or 6))
        if run["error"]:
            # cron-parser gives up after 10,000 steps on rare schedules; we keep searching.
            assert "loop limit" in run["error"], run["error"]
            assert got[: len(run["fires"])] == run["fires"]
        else:
            assert got == run["fires"], f"{expr!r} from {run['from']}"


@pytest.mark.parametrize("case", GOLDEN, ids=[repr(g["expr"]) for g in GOLDEN])
def test_reference_matches_cron_parser(case: dict[str, Any]) -> None:
    """The slow reference used by the property tests is itself faithful to cron-parser."""
    expr = case["expr"]
    if case["error"] is not None:
        with pytest.raises(RefError):
            ref_parse(expr)
        return
    ref_parse(expr)
    for run in case["runs"]:
        if run["error"] or not run["fires"]:
            continue
        start, last = utc(run["from"]), utc(run["fires"][-1])
        per_second = expr.count(" ") == 5 and not expr.startswith("0 ")
        if (last - start).total_seconds() / (1 if per_second else 60) > 15_000:
            continue  # too far to scan one candidate at a time; the property tests go further
        try:
            got = ref_fires(expr, start, last.replace(microsecond=1))
        except RefError:
            pytest.fail(f"reference fails on {expr!r}")
        assert _iso(got) == run["fires"]
