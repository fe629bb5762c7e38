"""The platform's cron dialect (cron-parser 4.9 as Netlify uses it): parse, check and warn."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from console.errors import CronError
from console.schedule.days import CP_MONTH_DAYS, fires_ever

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# Aliases other crons know; the platform rejects them. Value: what to write instead.
_FOREIGN_ALIASES = {
    "@annually": "@yearly",
    "@midnight": "@daily",
    "@reboot": None,
    "@minutely": '"* * * * *"',
}
_ALIAS_LIST = "@yearly, @monthly, @weekly, @daily, @hourly"

MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_MONTH_FULL = (
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
_LIMITS = {
    SECOND: (0, 59),
    MINUTE: (0, 59),
    HOUR: (0, 23),
    DOM: (1, 31),
    MONTH: (1, 12),
    DOW: (0, 7),
}
_FIVE = (MINUTE, HOUR, DOM, MONTH, DOW)
_SIX = (SECOND, *_FIVE)

_NUMBER = re.compile(r"^\d+$")
_NAME = re.compile(r"^[A-Za-z]{3}$")
_LAST_WEEKDAY = re.compile(r"^(\d+|[A-Za-z]{3})L$", re.IGNORECASE)


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


@dataclass
class _Field:
    """One field as cron-parser expands it."""

    mask: int = 0
    values: list[int] | None = None  # every expanded number, duplicates kept (cron-parser's list)
    count: int = 0  # cron-parser's list length
    last: bool = False  # `L` in day-of-month
    last_weekdays: int = 0
    nth: int = 0


def _err(field: str, text: str, why: str) -> CronError:
    return CronError(f'{field} field "{text}": {why}', field=field)


def _value(field: str, text: str, token: str) -> int:
    lo, hi = _LIMITS[field]
    if _NUMBER.match(token):
        v = int(token)
        if not lo <= v <= hi:
            raise _err(field, text, f"{v} is out of range {lo}-{hi}")
        return v
    if token == "":
        raise _err(field, text, "a value is missing")
    if _NAME.match(token) and field in (MONTH, DOW):
        names = MONTH_NAMES if field == MONTH else DAY_NAMES
        if token.upper() in names:
            return names.index(token.upper()) + (1 if field == MONTH else 0)
    raise _err(field, text, _why_not_a_value(field, token))


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


def _parse_field(field: str, text: str) -> _Field:
    lo, hi = _LIMITS[field]
    out = _Field(values=[])
    assert out.values is not None
    if field == DOW and "#" in text:
        return _parse_nth(text)
    if text == "?":
        if field not in (DOM, DOW):
            raise _err(field, text, "? is only allowed in the day-of-month and day-of-week fields")
        text_items = ["*"]
    else:
        if "?" in text:
            raise _err(field, text, "? must stand alone")
        text_items = text.split(",")
    for item in text_items:
        if item == "":
            raise _err(field, text, "a list item is empty")
        parts = item.split("/")
        if len(parts) > 2:
            raise _err(field, text, f'"{item}" has more than one /')
        base = parts[0]
        step = 1
        if len(parts) == 2:
            if not _NUMBER.match(parts[1]) or int(parts[1]) < 1:
                raise _err(
                    field, text, f'the step "{parts[1]}" must be a whole number of at least 1'
                )
            step = int(parts[1])
        if base == "L" and field == DOM:
            if len(parts) == 2:
                raise _err(field, text, "L (last day) cannot take a step")
            out.last = True
            out.count += 1
            continue
        m = _LAST_WEEKDAY.match(base) if field == DOW else None
        if m:
            if len(parts) == 2:
                raise _err(field, text, f'"{base}" (last weekday) cannot take a step')
            day = _value(field, text, m.group(1))
            out.last_weekdays |= 1 << (day % 7)
            out.count += 1
            continue
        if base == "*":
            start, end = lo, hi
        elif "-" in base:
            ends = base.split("-")
            if len(ends) != 2 or not ends[0] or not ends[1]:
                raise _err(field, text, f'"{base}" is not a range like 1-5')
            start, end = _value(field, text, ends[0]), _value(field, text, ends[1])
            if start > end:
                raise _err(
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


def _parse_nth(text: str) -> _Field:
    base, _, nth = text.partition("#")
    for ch in ",/-":
        if ch in text:
            raise _err(DOW, text, f"# cannot be combined with {ch!r}")
    if "#" in nth:
        raise _err(DOW, text, "only one # is allowed")
    if not _NUMBER.match(nth) or not 1 <= int(nth) <= 5:
        raise _err(DOW, text, f'the occurrence "{nth}" after # must be 1-5')
    if base in ("*", "?", "") or _LAST_WEEKDAY.match(base):
        raise _err(DOW, text, "# needs one weekday before it, like 1#2 (the second Monday)")
    day = _value(DOW, text, base) % 7
    return _Field(mask=1 << day, values=[day], count=1, nth=int(nth))


def _split(expr: str) -> tuple[list[str], list[CronWarning], str]:
    """The fields the platform reads, the warnings about their count, and the normalized form."""
    stripped = expr.strip()
    if not stripped:
        raise CronError("the schedule is empty")
    if stripped.startswith("@"):
        if stripped != expr:
            raise CronError(
                f'"{expr}": the platform only recognises an @-alias written alone, '
                "without surrounding spaces"
            )
        if expr in ALIASES:
            return ALIASES[expr].split(), [], ALIASES[expr]
        low = expr.lower()
        if low in ALIASES:
            raise CronError(f'"{expr}": @-aliases are lowercase ({_ALIAS_LIST})')
        if low in _FOREIGN_ALIASES:
            alt = _FOREIGN_ALIASES[low]
            hint = f"; use {alt}" if alt else f"; it knows only {_ALIAS_LIST}"
            raise CronError(f'"{expr}" is not an alias the platform knows{hint}')
        raise CronError(f'"{expr}" is not an alias the platform knows ({_ALIAS_LIST})')
    atoms = stripped.split()
    head = atoms[0].upper()
    if head.startswith(("TZ=", "CRON_TZ=")):
        raise CronError(
            f'"{atoms[0]}": the platform runs every schedule in UTC and takes no time-zone prefix'
        )
    if len(atoms) > 6:
        raise CronError(
            f"{len(atoms)} fields: the platform takes 5 (minute hour day-of-month month "
            "day-of-week) or 6 with a leading seconds field"
        )
    warnings: list[CronWarning] = []
    if len(atoms) < 5:
        padded = ["*"] * (5 - len(atoms)) + atoms
        missing = ", ".join(_FIVE[: 5 - len(atoms)])
        warnings.append(
            CronWarning(
                "cron-short",
                f"only {len(atoms)} field{'s' if len(atoms) > 1 else ''}: the platform reads "
                f'"{stripped}" as "{" ".join(padded)}" (missing leading fields are *: {missing})',
            )
        )
        atoms = padded
    if len(atoms) == 6:
        warnings.append(
            CronWarning(
                "cron-extension",
                "a 6th, leading seconds field is read by cron-parser but not documented by "
                "Netlify; production may reject it",
            )
        )
    return atoms, warnings, " ".join(atoms)


def _extension_warnings(text: str, field: str, f: _Field) -> list[CronWarning]:
    found = []
    if text == "?":
        found.append("?")
    if f.last:
        found.append("L (last day of the month)")
    if f.last_weekdays:
        found.append("nL (last weekday of the month)")
    if f.nth:
        found.append("# (nth weekday of the month)")
    return [
        CronWarning(
            "cron-extension",
            f'{field} field "{text}": {what} is read by cron-parser but not documented by '
            "Netlify; production may reject it",
        )
        for what in found
    ]


@lru_cache(maxsize=4096)
def _parse_or_error(expr: str) -> CronSpec | CronError:
    try:
        return _parse(expr)
    except CronError as exc:
        return exc


def parse_cron(expr: str) -> CronSpec:
    """Parse a schedule as the platform does; raise CronError (one sentence) when it would reject it."""
    result = _parse_or_error(expr)
    if isinstance(result, CronError):
        raise CronError(str(result), field=result.field)
    return result


def _parse(expr: str) -> CronSpec:
    atoms, warnings, normalized = _split(expr)
    names = _SIX if len(atoms) == 6 else _FIVE
    fields: dict[str, _Field] = {}
    for name, text in zip(names, atoms, strict=True):
        try:
            fields[name] = _parse_field(name, text)
        except CronError as exc:
            if name == DOW and len(atoms) == 6 and "out of range" in str(exc):
                raise CronError(
                    f"{exc} (with 6 fields the platform reads the FIRST as seconds, not the last)",
                    field=exc.field,
                ) from None
            raise
        warnings.extend(_extension_warnings(text, name, fields[name]))
    if SECOND not in fields:
        fields[SECOND] = _Field(mask=1, values=[0], count=1)
    dom, month, dow = fields[DOM], fields[MONTH], fields[DOW]
    dom_values = dom.values or []
    dom_count = dom.count
    month_values = month.values or []
    if month.count == 1:
        # cron-parser 4.9 `_handleMaxDaysInMonth`: with one month, it rejects a day-of-month
        # whose smallest number the month cannot hold (whatever day-of-week says), and drops the
        # numbers above the month's length, which changes its count.
        m = month_values[0]
        if dom_values and min(dom_values) > CP_MONTH_DAYS[m]:
            raise _err(
                DOM,
                atoms[names.index(DOM)],
                f"{_MONTH_FULL[m - 1]} never has day {min(dom_values)}, so the platform rejects it",
            )
        dom_count = sum(1 for v in dom_values if v <= CP_MONTH_DAYS[m]) + int(dom.last)
    spec = CronSpec(
        expr=expr,
        warnings=tuple(warnings),
        seconds=fields[SECOND].mask,
        minutes=fields[MINUTE].mask,
        hours=fields[HOUR].mask,
        days=dom.mask,
        last_day=dom.last,
        months=month.mask,
        weekdays=dow.mask,
        last_weekdays=dow.last_weekdays,
        nth=dow.nth,
        dom_count=dom_count,
        dow_count=dow.count,
        has_seconds=len(atoms) == 6,
        normalized=normalized,
    )
    _check_fires_ever(spec, atoms[names.index(DOM)], atoms[names.index(MONTH)], atoms[-1])
    return spec


def _check_fires_ever(spec: CronSpec, dom_text: str, month_text: str, dow_text: str) -> None:
    if fires_ever(spec.day_key):
        return
    if spec.nth or spec.last_weekdays:
        raise _err(
            DOW, dow_text, f'no day in month field "{month_text}" ever matches, so it never fires'
        )
    raise _err(
        DOM,
        dom_text,
        f'no month in month field "{month_text}" has such a day, so the schedule never fires',
    )
