"""Which days of a month a schedule fires on, as cron-parser 4.9 decides it, cached per month shape.

Whether a day fires depends only on the schedule's day fields and on the month's shape: which
month, how many days it has, and the weekday of its 1st. There are at most 12 x 2 x 7 shapes, so
each schedule's answer is a 32-bit mask per shape, computed once.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

# cron-parser's own month lengths (February = 29): they decide its "is day-of-month a wildcard"
# test and its "Invalid explicit day of month definition" check, so we use them for both.
CP_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

DayKey = tuple[int, ...]  # CronSpec.day_key


@lru_cache(maxsize=65536)
def month_mask(key: DayKey, month: int, length: int, first_weekday: int) -> int:
    """Bit d set when day d of such a month fires. `first_weekday`: 0 = Sunday."""
    days, last_day, months, weekdays, last_weekdays, nth, dom_count, dow_count = key
    if not months >> month & 1:
        return 0
    # cron-parser calls a field a wildcard by counting its values: day-of-month when it holds at
    # least as many values as its table says the month has (February: 29), day-of-week when it
    # holds 8 (0-7). Then: day-of-week wildcard -> day-of-month decides; day-of-month wildcard
    # -> day-of-week decides; neither -> either may match (Vixie's OR rule).
    dom_wild = dom_count >= CP_MONTH_DAYS[month]
    dow_wild = dow_count == 8
    mask = 0
    for d in range(1, length + 1):
        wd = (first_weekday + d - 1) % 7
        dom_match = bool(days >> d & 1) or (bool(last_day) and d == length)
        dow_match = bool(weekdays >> wd & 1) or (bool(last_weekdays >> wd & 1) and d + 7 > length)
        if dow_wild:
            ok = dom_match
        elif dom_wild:
            ok = dow_match
        else:
            ok = dom_match or dow_match
        # `#n` is checked after the rule above, on the day alone: its week of the month.
        if ok and (not nth or (d + 6) // 7 == nth):
            mask |= 1 << d
    return mask


def month_length(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return CP_MONTH_DAYS[month]


def first_weekday(year: int, month: int) -> int:
    """0 = Sunday."""
    return (date(year, month, 1).weekday() + 1) % 7


def mask_for(key: DayKey, year: int, month: int) -> int:
    return month_mask(key, month, month_length(year, month), first_weekday(year, month))


def fires_ever(key: DayKey) -> bool:
    """True when some real month has a firing day (every month shape occurs in the calendar)."""
    for month in range(1, 13):
        lengths = (28, 29) if month == 2 else (CP_MONTH_DAYS[month],)
        for length in lengths:
            for wd in range(7):
                if month_mask(key, month, length, wd):
                    return True
    return False
