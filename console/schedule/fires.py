"""Next fire times of a schedule: day masks pick the days, per-field bitmasks the times of day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from console.schedule.days import mask_for
from console.schedule.dialect import parse_cron
from console.schedule.spec import CronSpec

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86400
# Every month shape (month, length, weekday of the 1st) recurs within 400 years, and a schedule
# that never fires is rejected by parse_cron, so the search always ends well before this.
_SEARCH_YEARS = 400
LAST_YEAR = 9999  # the calendar ends here for datetime: the fires stop with it


def epoch_us(t: datetime) -> int:
    """Microseconds since the Unix epoch; a naive datetime is taken as UTC."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    delta = t - EPOCH
    return (delta.days * DAY + delta.seconds) * 1_000_000 + delta.microseconds


def bits_from(mask: int, start: int) -> Iterator[int]:
    """The set bits of `mask` at or above `start`, ascending."""
    mask = mask >> start << start
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def times_of_day(spec: CronSpec, start: int = 0) -> Iterator[int]:
    """Seconds of the day at or after `start` at which the schedule fires (on a firing day)."""
    h0, rest = divmod(start, 3600)
    m0, s0 = divmod(rest, 60)
    for h in bits_from(spec.hours, h0):
        first_hour = h == h0
        for m in bits_from(spec.minutes, m0 if first_hour else 0):
            first_minute = first_hour and m == m0
            for s in bits_from(spec.seconds, s0 if first_minute else 0):
                yield h * 3600 + m * 60 + s


def next_fires(spec: CronSpec | str, after: datetime, n: int) -> list[datetime]:
    """The first `n` fires strictly after `after`, as tz-aware UTC datetimes (whole seconds).

    Fewer than `n` when the calendar (year 9999) ends first.
    """
    if isinstance(spec, str):
        spec = parse_cron(spec)
    out: list[datetime] = []
    if n <= 0:
        return out
    first = epoch_us(after) // 1_000_000 + 1  # the first whole second strictly after `after`
    first_day, first_second = divmod(first, DAY)
    if EPOCH_ORDINAL + first_day > date.max.toordinal():
        return out  # `after` is the last second there is
    start = date.fromordinal(EPOCH_ORDINAL + first_day)
    year, month, day = start.year, start.month, start.day
    key = spec.day_key
    while len(out) < n and year <= min(start.year + _SEARCH_YEARS, LAST_YEAR):
        days = mask_for(key, year, month) >> day << day
        while days and len(out) < n:
            low = days & -days
            days ^= low
            ordinal_day = date(year, month, low.bit_length() - 1).toordinal() - EPOCH_ORDINAL
            from_second = first_second if ordinal_day == first_day else 0
            base = ordinal_day * DAY
            for second in times_of_day(spec, from_second):
                out.append(EPOCH + timedelta(seconds=base + second))
                if len(out) == n:
                    break
        month, day = (month + 1, 1) if month < 12 else (1, 1)
        if month == 1:
            year += 1
    return out
