"""The parsed form of a schedule: what the rest of the console reads (CronSpec, CronWarning)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CronWarning:
    """Something the platform accepts but that is probably not what the author meant."""

    code: str  # "cron-extension" or "cron-short"
    message: str


@dataclass(frozen=True)
class CronSpec:
    """A parsed schedule. Sets are bitmasks: bit n set means value n is in the set."""

    expr: str  # as written
    warnings: tuple[CronWarning, ...]
    seconds: int  # bits 0-59; {0} for 5-field schedules
    minutes: int  # bits 0-59
    hours: int  # bits 0-23
    days: int  # bits 1-31 (day-of-month numbers)
    last_day: bool  # `L` in day-of-month
    months: int  # bits 1-12
    weekdays: int  # bits 0-6, 0 = Sunday
    last_weekdays: int  # bits 0-6: `5L` sets bit 5 (the last Friday of the month)
    nth: int  # `1#2` gives 2 (and weekday 1); 0 when there is no `#`
    # cron-parser decides "is this field a wildcard" by counting the values it expanded, duplicates
    # included; that count drives the day-of-month / day-of-week OR rule, so we keep it.
    dom_count: int
    dow_count: int
    has_seconds: bool
    normalized: str  # the 5 or 6 fields the platform reads (aliases expanded, short forms padded)

    @property
    def day_key(self) -> tuple[int, ...]:
        """Everything that decides whether a day fires (a cache key)."""
        return (
            self.days,
            int(self.last_day),
            self.months,
            self.weekdays,
            self.last_weekdays,
            self.nth,
            self.dom_count,
            self.dow_count,
        )

    @property
    def fires_per_day(self) -> int:
        """Fires on a day that fires at all."""
        return self.hours.bit_count() * self.minutes.bit_count() * self.seconds.bit_count()
