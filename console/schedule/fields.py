"""One cron field, read as cron-parser 4.9 reads it, with a one-sentence error for each bad form."""

from __future__ import annotations

import dataclasses
import re

from console.errors import CronError

MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MONTH_FULL = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SECOND, MINUTE, HOUR, DOM, MONTH, DOW = (
    "second",
    "minute",
    "hour",
    "day-of-month",
    "month",
    "day-of-week",
)
LIMITS = {
    SECOND: (0, 59),
    MINUTE: (0, 59),
    HOUR: (0, 23),
    DOM: (1, 31),
    MONTH: (1, 12),
    DOW: (0, 7),
}
FIVE = (MINUTE, HOUR, DOM, MONTH, DOW)
SIX = (SECOND, *FIVE)

_NUMBER = re.compile(r"^\d+$")
_NAME = re.compile(r"^[A-Za-z]{3}$")
_LAST_WEEKDAY = re.compile(r"^(\d+|[A-Za-z]{3})L$", re.IGNORECASE)


@dataclasses.dataclass
class ParsedField:
    """One field as cron-parser expands it."""

    mask: int = 0
    values: list[int] = dataclasses.field(
        default_factory=list
    )  # every expanded number, duplicates kept
    count: int = 0  # cron-parser's list length
    last: bool = False  # `L` in day-of-month
    last_weekdays: int = 0
    nth: int = 0


def field_error(field: str, text: str, why: str) -> CronError:
    return CronError(f'{field} field "{text}": {why}', field=field)


def _value(field: str, text: str, token: str) -> int:
    lo, hi = LIMITS[field]
    if _NUMBER.match(token):
        v = int(token)
        if not lo <= v <= hi:
            raise field_error(field, text, f"{v} is out of range {lo}-{hi}")
        return v
    if token == "":
        raise field_error(field, text, "a value is missing")
    if _NAME.match(token) and field in (MONTH, DOW):
        names = MONTH_NAMES if field == MONTH else DAY_NAMES
        if token.upper() in names:
            return names.index(token.upper()) + (1 if field == MONTH else 0)
    raise field_error(field, text, _why_not_a_value(field, token))


def _why_not_a_value(field: str, token: str) -> str:
    up = token.upper()
    if up in DAY_NAMES and field != DOW:
        return f"day names like {up} belong in the day-of-week field"
    if up in MONTH_NAMES and field != MONTH:
        return f"month names like {up} belong in the month field"
    if "W" in up:
        return "W (nearest weekday) is not supported by the platform"
    if up.startswith("H"):
        return "H (a hashed value) is a croniter/Jenkins extension the platform rejects"
    if "#" in up:
        return "# is only allowed in the day-of-week field"
    if field == DOW and up == "L":
        return "L needs a weekday before it, like 5L (the last Friday of the month)"
    if field == DOW and up.startswith("L"):
        return 'the platform writes "last weekday" as 5L (weekday first), not L5'
    if field == DOM and re.match(r"^\d+L$", up):
        return "nL is a day-of-week form; in day-of-month write L alone for the last day"
    if field == DOM and "L" in up:
        return "L (last day) must stand alone, without an offset, range or step"
    if "L" in up:
        return "L is only allowed in the day-of-month and day-of-week fields"
    if token.isalpha() and field in (MONTH, DOW):
        names = MONTH_NAMES if field == MONTH else DAY_NAMES
        kind = "month" if field == MONTH else "day"
        return f'"{token}" is not a {kind} name ({", ".join(names)})'
    if token.isalpha():
        return f"names are only allowed in the month and day-of-week fields, not in {field}"
    return f'"{token}" is not a number'


def parse_field(field: str, text: str) -> ParsedField:
    lo, hi = LIMITS[field]
    out = ParsedField()
    if field == DOW and "#" in text:
        return _parse_nth(text)
    if text == "?":
        if field not in (DOM, DOW):
            raise field_error(
                field, text, "? is only allowed in the day-of-month and day-of-week fields"
            )
        text_items = ["*"]
    else:
        if "?" in text:
            raise field_error(field, text, "? must stand alone")
        text_items = text.split(",")
    for item in text_items:
        if item == "":
            raise field_error(field, text, "a list item is empty")
        parts = item.split("/")
        if len(parts) > 2:
            raise field_error(field, text, f'"{item}" has more than one /')
        base = parts[0]
        step = 1
        if len(parts) == 2:
            if not _NUMBER.match(parts[1]) or int(parts[1]) < 1:
                raise field_error(
                    field, text, f'the step "{parts[1]}" must be a whole number of at least 1'
                )
            step = int(parts[1])
        if base == "L" and field == DOM:
            if len(parts) == 2:
                raise field_error(field, text, "L (last day) cannot take a step")
            out.last = True
            out.count += 1
            continue
        m = _LAST_WEEKDAY.match(base) if field == DOW else None
        if m:
            if len(parts) == 2:
                raise field_error(field, text, f'"{base}" (last weekday) cannot take a step')
            day = _value(field, text, m.group(1))
            out.last_weekdays |= 1 << (day % 7)
            out.count += 1
            continue
        if base == "*":
            start, end = lo, hi
        elif "-" in base:
            ends = base.split("-")
            if len(ends) != 2 or not ends[0] or not ends[1]:
                raise field_error(field, text, f'"{base}" is not a range like 1-5')
            start, end = _value(field, text, ends[0]), _value(field, text, ends[1])
            if start > end:
                raise field_error(
                    field, text, f"the range {base} runs backwards (ranges do not wrap around)"
                )
        else:
            start = _value(field, text, base)
            if len(parts) == 1:  # a single value
                out.values.append(start % 7 if field == DOW else start)
                out.mask |= 1 << (start % 7 if field == DOW else start)
                out.count += 1
                continue
            end = hi  # `5/15` means 5-max/15, as in cron-parser
        seq = range(start, end + 1, step)
        out.values.extend(seq)
        out.count += len(seq)
        for v in seq:
            out.mask |= 1 << (v % 7 if field == DOW else v)
        if field == DOW and end == 7:
            # cron-parser adds Sunday (0) to every day-of-week range that ends at 7, even when
            # the step skips 7 (`2-7/2` fires on Sundays); and counts it when 0 was not there.
            out.mask |= 1
            if start > 0:
                out.count += 1
    return out


def _parse_nth(text: str) -> ParsedField:
    base, _, nth = text.partition("#")
    for ch in ",/-":
        if ch in text:
            raise field_error(DOW, text, f"# cannot be combined with {ch!r}")
    if "#" in nth:
        raise field_error(DOW, text, "only one # is allowed")
    if not _NUMBER.match(nth) or not 1 <= int(nth) <= 5:
        raise field_error(DOW, text, f'the occurrence "{nth}" after # must be 1-5')
    if base in ("*", "?", "") or _LAST_WEEKDAY.match(base):
        raise field_error(DOW, text, "# needs one weekday before it, like 1#2 (the second Monday)")
    day = _value(DOW, text, base) % 7
    return ParsedField(mask=1 << day, values=[day], count=1, nth=int(nth))
