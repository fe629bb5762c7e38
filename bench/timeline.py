"""Benchmark: `timeline` against naive croniter iteration, and the whole `console timeline` command.

    python bench/timeline.py [--quick]

1. 1,000 schedules (a mix with many every-minute ones), a 7-day window in 168 slices:
   `console.schedule.timeline` against stepping croniter through every fire of every schedule
   over the same window, in the same run. Both must give the same counts (checked).
2. The same for 1,000 schedules that are all different (no duplicates to share work).
3. `console timeline` on a generated 600-route project (a temp dir), run in a subprocess, start-up
   and discovery included, against the naive croniter loop over those 600 schedules in this process.

--quick runs the naive loops on a tenth of the schedules and scales the time up (not for reports).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from croniter import croniter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from console.schedule import CronSpec, parse_cron, timeline  # noqa: E402
from console.schedule.days import month_mask  # noqa: E402
from console.schedule.dialect import _parse_or_error  # noqa: E402

START = datetime(2024, 2, 26, 13, 27, 5, tzinfo=UTC)  # crosses a leap day and a month end
HOURS = 168
BUCKETS = 168
END = START + timedelta(hours=HOURS)


def mixed(rng: random.Random, n: int) -> list[str]:
    """What a big project looks like: many every-minute routes, and a long tail of others."""
    out: list[str] = []
    for _ in range(n):
        r = rng.random()
        m, h = rng.randrange(60), rng.randrange(24)
        if r < 0.25:
            out.append("* * * * *")
        elif r < 0.35:
            out.append(f"*/{rng.choice([2, 5, 10, 15, 30])} * * * *")
        elif r < 0.38:
            out.append("*/30 * * * * *")
        elif r < 0.48:
            out.append(f"{m} * * * *")
        elif r < 0.78:
            out.append(f"{m} {h} * * *")
        elif r < 0.88:
            out.append(f"{m} {h} * * {rng.choice(['1-5', '0', '6', 'MON,WED,FRI'])}")
        elif r < 0.93:
            out.append(f"*/{rng.choice([5, 10, 20])} {rng.randrange(8, 11)}-17 * * 1-5")
        else:
            out.append(
                rng.choice(
                    [
                        f"{m} {h} {rng.randrange(1, 29)} * *",
                        "0 0 L * *",
                        "0 9 * * 1#2",
                        "0 18 * * 5L",
                    ]
                )
            )
    return out


def distinct(rng: random.Random, n: int) -> list[str]:
    """n different schedules, a third of them firing every minute or more within their hours."""
    seen: set[str] = set()
    while len(seen) < n:
        a, b = sorted(rng.sample(range(24), 2))
        m = rng.randrange(60)
        seen.add(
            rng.choice(
                [
                    f"* {a}-{b} * * *",
                    f"*/{rng.randrange(2, 30)} {a}-{b} * * {rng.choice(['*', '1-5'])}",
                    f"{m} {a},{b} * * *",
                    f"{m} {a}-{b}/{rng.randrange(1, 6)} * * *",
                    f"{rng.randrange(60)} {m} {a} * * *",
                ]
            )
        )
    return sorted(seen)


def croniter_form(expr: str) -> tuple[str, bool]:
    """croniter spells the last Friday L5, and wants to be told the seconds field comes first."""
    return expr.replace("5L", "L5"), len(expr.split()) == 6


def naive(exprs: list[str]) -> list[list[int]]:
    """Step croniter through every fire in the window and drop each into its slice."""
    span = (END - START).total_seconds()
    end = END.timestamp()
    rows = []
    for expr in exprs:
        text, seconds_first = croniter_form(expr)
        it = croniter(text, START - timedelta(seconds=1), second_at_beginning=seconds_first)
        row = [0] * BUCKETS
        while (t := it.get_next(float)) < end:
            row[int((t - START.timestamp()) * BUCKETS // span)] += 1
        rows.append(row)
    return rows


def best(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def cold_parse_and_count(exprs: list[str]) -> list[list[int]]:
    _parse_or_error.cache_clear()
    month_mask.cache_clear()
    return timeline([parse_cron(e) for e in exprs], START, END, BUCKETS)


def run_naive(exprs: list[str], quick: bool) -> tuple[float, list[list[int]] | None]:
    if not quick:
        t0 = time.perf_counter()
        rows = naive(exprs)
        return time.perf_counter() - t0, rows
    sample = exprs[::10]
    t0 = time.perf_counter()
    naive(sample)
    return (time.perf_counter() - t0) * len(exprs) / len(sample), None


def scenario(name: str, exprs: list[str], quick: bool) -> None:
    specs: list[CronSpec] = [parse_cron(e) for e in exprs]
    rows = timeline(specs, START, END, BUCKETS)
    warm = best(lambda: timeline(specs, START, END, BUCKETS))
    cold = best(lambda: cold_parse_and_count(exprs))
    base, expected = run_naive(exprs, quick)
    if expected is not None:
        assert rows == expected, "timeline and croniter disagree"
    fires = sum(map(sum, rows))
    print(f"\n{name}: {len(exprs)} schedules ({len(set(exprs))} different), {fires:,} fires,")
    print(f"  a {HOURS} h window in {BUCKETS} slices")
    print(
        f"  naive croniter loop      {base * 1000:10.1f} ms{'  (scaled from 1/10)' if quick else ''}"
    )
    print(f"  timeline, parsed specs   {warm * 1000:10.2f} ms   {base / warm:8.0f}x faster")
    print(f"  parse + timeline, cold   {cold * 1000:10.2f} ms   {base / cold:8.0f}x faster")


def write_project(folder: Path, exprs: list[str]) -> None:
    (folder / "package.json").write_text('{"name": "big", "scripts": {"dev": "next dev"}}')
    api = folder / "pages" / "api"
    api.mkdir(parents=True)
    for i, expr in enumerate(exprs):
        (api / f"job-{i:03d}.js").write_text(
            f"export const config = {{ type: 'experimental-scheduled', schedule: '{expr}' }}\n"
            "export default function handler(req, res) { res.status(200).end() }\n"
        )


def command(folder: Path) -> tuple[float, dict[str, object]]:
    args = [
        sys.executable, "-m", "console", "timeline", str(folder), "--from", START.isoformat(),
        "--hours", str(HOURS), "--buckets", str(BUCKETS), "--json",
    ]  # fmt: skip
    t0 = time.perf_counter()
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    took = time.perf_counter() - t0
    return took, json.loads(out.stdout)


def whole_command(exprs: list[str], quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder, exprs)
        first, data = command(folder)
        runs = [command(folder)[0] for _ in range(5)]
    base, expected = run_naive(exprs, quick)
    routes = data["routes"]
    assert isinstance(routes, list) and len(routes) == len(exprs)
    if expected is not None:
        by_schedule = {r["schedule"]: r["counts"] for r in routes}
        assert all(by_schedule[e] == row for e, row in zip(exprs, expected, strict=True))
    warm = statistics.median(runs)
    print(f"\nconsole timeline on a {len(exprs)}-route project (subprocess, start-up included):")
    print(
        f"  naive croniter loop      {base * 1000:10.1f} ms{'  (scaled from 1/10)' if quick else ''}"
    )
    print(f"  first run (cold caches)  {first * 1000:10.1f} ms   {base / first:8.0f}x faster")
    print(f"  median of next 5 runs    {warm * 1000:10.1f} ms   {base / warm:8.0f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sample the naive loops")
    args = parser.parse_args()
    rng = random.Random(2024)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, window from {START:%Y-%m-%d %H:%M:%S}Z"
    )
    mix = mixed(rng, 1000)
    scenario("mixed", mix, args.quick)
    scenario("all different", distinct(rng, 1000), args.quick)
    whole_command(mix[:600], args.quick)


if __name__ == "__main__":
    main()
