"""Plain-English descriptions of schedules, from cron-descriptor, never raising."""

from __future__ import annotations

from functools import lru_cache

from cron_descriptor import ExpressionDescriptor, Options

from console.errors import CronError
from console.schedule.dialect import parse_cron
from console.schedule.spec import CronSpec

_ALL_HOURS = (1 << 24) - 1


def describe(spec: CronSpec | str) -> str:
    """e.g. "At 03:00, only on Monday (UTC)"; the expression itself when it cannot be described."""
    if isinstance(spec, str):
        try:
            parsed = parse_cron(spec)
        except CronError:
            return spec
    else:
        parsed = spec
    return _describe(parsed.normalized, _depends_on_clock(parsed)) or parsed.expr


def _depends_on_clock(spec: CronSpec) -> bool:
    # "Every 5 minutes" reads the same in any time zone; "At 03:00" or "only on Monday" do not.
    return spec.hours != _ALL_HOURS or spec.day_key != parse_cron("* * * * *").day_key


@lru_cache(maxsize=4096)
def _describe(normalized: str, clock: bool) -> str | None:
    # `normalized` is what the platform reads: aliases expanded, short forms padded to 5 fields,
    # and 6 fields with seconds first, which is also cron-descriptor's reading of 6 fields.
    options = Options()
    options.use_24hour_time_format = True
    try:
        text = str(ExpressionDescriptor(normalized, options).get_description())
    except Exception:  # cron-descriptor raises its own types, and ValueError/IndexError
        return None
    return f"{text} (UTC)" if clock else text
