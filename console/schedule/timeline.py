"""Fires per equal time slice, counted arithmetically: the cost never grows with the number of fires.

A fire lies in slice i when start + i*w <= t < start + (i+1)*w (w = (end - start) / buckets).
Fires fall on whole seconds, so each slice edge becomes the first whole second at or after it,
and the count in slice i is F(edge[i+1]) - F(edge[i]), where F(t) counts the fires before t.
F is a sum: whole firing days before t's day times the fires per day, plus the fires earlier in
t's own day, which is a popcount over the hour, minute and second bitmasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from console.schedule.days import first_weekday, month_length, month_mask
from console.schedule.fires import DAY, EPOCH_ORDINAL, epoch_us
from console.schedule.spec import CronSpec


@dataclass(frozen=True)
class _Window:
    """What every schedule's count needs to know about [start, end) and its slices."""

    # (month, month length, weekday of the 1st, first day number, how many days) for each month
    # the window touches, in order; together they cover the window's days.
    month_runs: tuple[tuple[int, int, int, int, int], ...]
    offsets: tuple[tuple[int, int, int], ...]  # distinct (hour, minute, second) of the slice edges
    edges: tuple[tuple[int, int], ...]  # per edge: (day index in the window, index in offsets)


def _window(start: datetime, end: datetime, buckets: int) -> _Window:
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    start_us, end_us = epoch_us(start), epoch_us(end)
    span = end_us - start_us
    if span <= 0:
        raise ValueError("end must be after start")
    scale = 1_000_000 * buckets
    # edge i = ceil(start + i * span / buckets) in whole seconds, in exact integer arithmetic.
    edges = [-(-(start_us * buckets + i * span) // scale) for i in range(buckets + 1)]
    first_day = edges[0] // DAY
    last_day = edges[-1] // DAY
    runs: list[tuple[int, int, int, int, int]] = []
    day = first_day
    while day <= last_day:
        d = date.fromordinal(EPOCH_ORDINAL + day)
        length = month_length(d.year, d.month)
        count = min(length - d.day + 1, last_day - day + 1)
        runs.append((d.month, length, first_weekday(d.year, d.month), d.day, count))
        day += count
    offsets = sorted({e % DAY for e in edges})
    where = {o: i for i, o in enumerate(offsets)}
    return _Window(
        month_runs=tuple(runs),
        offsets=tuple((o // 3600, o // 60 % 60, o % 60) for o in offsets),
        edges=tuple((e // DAY - first_day, where[e % DAY]) for e in edges),
    )


def _fires_before(hours: int, minutes: int, seconds: int, h: int, m: int, s: int) -> int:
    """Fires in [00:00:00, h:m:s) of a firing day."""
    per_minute = seconds.bit_count()
    per_hour = minutes.bit_count() * per_minute
    n = (hours & ((1 << h) - 1)).bit_count() * per_hour
    if hours >> h & 1:
        n += (minutes & ((1 << m) - 1)).bit_count() * per_minute
        if minutes >> m & 1:
            n += (seconds & ((1 << s) - 1)).bit_count()
    return n


def _count(spec: CronSpec, w: _Window, before: dict[tuple[int, int, int], list[int]]) -> list[int]:
    key = spec.day_key
    fires: list[int] = []
    for month, length, weekday, first, count in w.month_runs:
        mask = month_mask(key, month, length, weekday) >> first
        fires.extend((mask >> i) & 1 for i in range(count))
    if not any(fires):
        return [0] * (len(w.edges) - 1)
    times = (spec.hours, spec.minutes, spec.seconds)
    part = before.get(times)
    if part is None:
        part = [_fires_before(*times, *o) for o in w.offsets]
        before[times] = part
    per_day = spec.fires_per_day
    cumulative = [0]
    for f in fires:
        cumulative.append(cumulative[-1] + f * per_day)
    at = [cumulative[d] + part[o] if fires[d] else cumulative[d] for d, o in w.edges]
    return [b - a for a, b in pairwise(at)]


def timeline(
    specs: Sequence[CronSpec], start: datetime, end: datetime, buckets: int
) -> list[list[int]]:
    """For each schedule, how many times it fires in each of `buckets` equal slices of [start, end)."""
    w = _window(start, end, buckets)
    before: dict[tuple[int, int, int], list[int]] = {}
    done: dict[tuple[tuple[int, ...], int, int, int], list[int]] = {}
    rows: list[list[int]] = []
    for spec in specs:
        k = (spec.day_key, spec.hours, spec.minutes, spec.seconds)
        row = done.get(k)
        if row is None:
            row = done[k] = _count(spec, w, before)
        rows.append(list(row))
    return rows
