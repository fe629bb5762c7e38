"""A slow, literal re-reading of cron-parser 4.9 (lib/expression.js) to check the fast code against.

It keeps cron-parser's own data shapes (lists with duplicates, `"L"` / `"5L"` strings, the `#`
occurrence as an option) and its own day rule, and it tests candidate times one minute (or one
second) at a time. It shares no code with console.schedule. It is itself checked against the real
cron-parser 4.9 through tests/schedule/data/cp49_golden.json.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAP = ("second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek")
PREDEFINED = {
    "@yearly": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}
CONSTRAINTS = {
    "second": (0, 59, ""),
    "minute": (0, 59, ""),
    "hour": (0, 23, ""),
    "dayOfMonth": (1, 31, "L"),
    "month": (1, 12, ""),
    "dayOfWeek": (0, 7, "L"),
}
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
ALIASES = {
    "month": {
        m: i + 1
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        )
    },
    "dayOfWeek": {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
}
DEFAULTS = ("0", "*", "*", "*", "*", "*")
VALID = {
    "dayOfWeek": re.compile(r"^[?,*\dL#/-]+$"),
    "dayOfMonth": re.compile(r"^[?,*\dL/-]+$"),
}
STANDARD = re.compile(r"^[,*\d/-]+$")


class RefError(ValueError):
    pass


def js_number(s: str) -> float:
    """JavaScript's unary plus on a string, for the strings that reach it here."""
    s = s.strip()
    if s == "":
        return 0.0
    try:
        return float(int(s)) if re.fullmatch(r"[+-]?\d+", s) else float(s)
    except ValueError:
        return math.nan


Value = int | str


def _parse_field(field: str, value: str) -> list[Value]:
    lo, hi, chars = CONSTRAINTS[field]
    if field in ALIASES:
        aliases = ALIASES[field]

        def repl(m: re.Match[str]) -> str:
            name = m.group(0).lower()
            if name not in aliases:
                raise RefError(f'Validation error, cannot resolve alias "{name}"')
            return str(aliases[name])

        value = re.sub(r"[a-z]{3}", repl, value, flags=re.IGNORECASE)
    if not VALID.get(field, STANDARD).match(value):
        raise RefError(f"Invalid characters, got value: {value}")
    if "*" in value:
        value = value.replace("*", f"{lo}-{hi}")
    elif "?" in value:
        value = value.replace("?", f"{lo}-{hi}")

    def is_char(v: Value) -> bool:
        return isinstance(v, str) and any(c in v for c in chars)

    def parse_range(val: str, repeat: str | int) -> list[Value] | Value | float:
        atoms = val.split("-")
        if len(atoms) > 1:
            if not atoms[0]:
                if not atoms[1]:
                    raise RefError(f"Invalid range: {val}")
                return js_number(val)
            mn, mx = js_number(atoms[0]), js_number(atoms[1])
            if math.isnan(mn) or math.isnan(mx) or mn < lo or mx > hi:
                raise RefError("Constraint error, got range")
            if mn > mx:
                raise RefError(f"Invalid range: {val}")
            step = js_number(str(repeat))
            if math.isnan(step) or step <= 0:
                raise RefError("Constraint error, cannot repeat at every")
            stack: list[Value] = []
            if field == "dayOfWeek" and mx % 7 == 0:
                stack.append(0)
            index_repeat = step
            for index in range(int(mn), int(mx) + 1):
                if index not in stack and index_repeat % step == 0:
                    index_repeat = 1
                    stack.append(index)
                else:
                    index_repeat += 1
            return stack
        n = js_number(val)
        return val if math.isnan(n) else n

    def parse_repeat(val: str) -> list[Value] | Value | float:
        atoms = val.split("/")
        if len(atoms) > 2:
            raise RefError(f"Invalid repeat: {val}")
        if len(atoms) > 1:
            if (not math.isnan(js_number(atoms[0])) and atoms[0].strip() != "") or atoms[
                0
            ].strip() == "":
                atoms = [f"{atoms[0]}-{hi}", atoms[1]]
            return parse_range(atoms[0], atoms[-1])
        return parse_range(val, 1)

    stack: list[Value] = []
    atoms = value.split(",")
    if not all(atoms):
        raise RefError("Invalid list value format")
    for atom in atoms:
        result = parse_repeat(atom)
        if isinstance(result, list):
            for v in result:
                if is_char(v):
                    stack.append(v)
                    continue
                if isinstance(v, str) or v < lo or v > hi:
                    raise RefError("Constraint error")
                stack.append(int(v))
        else:
            if is_char(result):
                assert isinstance(result, str)
                stack.append(result)
                continue
            num = js_number(result) if isinstance(result, str) else float(result)
            if math.isnan(num) or num < lo or num > hi:
                raise RefError(f"Constraint error, got value {result}")
            n = int(num)
            stack.append(n % 7 if field == "dayOfWeek" else n)
    return sorted(stack, key=lambda v: (1, str(v), 0) if isinstance(v, str) else (0, "", v))


@dataclass
class RefExpr:
    fields: dict[str, list[Value]]
    nth: int

    def __post_init__(self) -> None:
        # The numeric members of each field, looked up for every candidate instant.
        self.nums = {k: {v for v in vs if isinstance(v, int)} for k, vs in self.fields.items()}


def ref_parse(expression: str) -> RefExpr:
    """cron-parser's `parse`; raises RefError where it throws."""
    expression = PREDEFINED.get(expression, expression)
    atoms = expression.strip().split()
    if not atoms:
        atoms = [""]
    if len(atoms) > 6:
        raise RefError("Invalid cron expression")
    nth = 0
    start = 6 - len(atoms)
    fields: dict[str, list[Value]] = {}
    for i, field in enumerate(MAP):
        value = atoms[i - start] if i >= start else ""
        if i < start or not value:
            fields[field] = _parse_field(field, DEFAULTS[i])
            continue
        if field == "dayOfWeek" and "#" in value:
            parts = value.split("#")
            nth_value = js_number(parts[-1])
            for ch in ",/-":
                if ch in value:
                    raise RefError("Constraint error, invalid dayOfWeek `#`")
            if len(parts) > 2 or math.isnan(nth_value) or not 1 <= nth_value <= 5:
                raise RefError("Constraint error, invalid dayOfWeek occurrence number (#)")
            nth = int(nth_value)
            value = parts[0]
        fields[field] = _parse_field(field, value)
    if len(fields["month"]) == 1:
        m = fields["month"][0]
        assert isinstance(m, int)
        days = DAYS_IN_MONTH[m - 1]
        first = fields["dayOfMonth"][0]
        if isinstance(first, int) and first > days:
            raise RefError("Invalid explicit day of month definition")
        fields["dayOfMonth"] = [
            v for v in fields["dayOfMonth"] if v == "L" or (isinstance(v, int) and v <= days)
        ]
    return RefExpr(fields, nth)


def ref_matches(ref: RefExpr, t: datetime) -> bool:
    """cron-parser's `_findSchedule` tests, applied to one instant (UTC, whole seconds)."""
    f, nums = ref.fields, ref.nums
    dim = calendar.monthrange(t.year, t.month)[1]
    weekday = (t.weekday() + 1) % 7
    dom_match = t.day in nums["dayOfMonth"]
    if any(isinstance(v, str) and "L" in v for v in f["dayOfMonth"]):
        dom_match = dom_match or t.day == dim
    dow_match = weekday in nums["dayOfWeek"]
    for v in f["dayOfWeek"]:
        if isinstance(v, str) and "L" in v:
            if not v[0].isdigit():
                raise RefError(f"Invalid last weekday of the month expression: {v}")
            if int(v[0]) % 7 == weekday and t.day + 7 > dim:
                dow_match = True
    dom_wild = len(f["dayOfMonth"]) >= DAYS_IN_MONTH[t.month - 1]
    dow_wild = len(f["dayOfWeek"]) == 8
    if not dom_match and (not dow_match or dow_wild):
        return False
    if not dom_wild and dow_wild and not dom_match:
        return False
    if dom_wild and not dow_wild and not dow_match:
        return False
    if ref.nth > 0:
        d = t.day
        if not (d < 8 and ref.nth == 1):
            occurrence = (d - d % 7) // 7 + (1 if d % 7 else 0)
            if occurrence != ref.nth:
                return False
    return (
        t.month in nums["month"]
        and t.hour in nums["hour"]
        and t.minute in nums["minute"]
        and t.second in nums["second"]
    )


def ref_candidates(ref: RefExpr, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every whole second (or minute, when the schedule fires only at second 0) in [start, end)."""
    by_second = ref.nums["second"] != {0}
    step = timedelta(seconds=1) if by_second else timedelta(minutes=1)
    t = start.replace(microsecond=0)
    if t < start:
        t += timedelta(seconds=1)
    if not by_second and t.second:
        t = t.replace(second=0) + step
    while t < end:
        yield t
        t += step


def ref_fires(expr: str, after: datetime, until: datetime) -> list[datetime]:
    """Fires strictly after `after` and before `until`, found by testing every candidate."""
    ref = ref_parse(expr)
    start = after.replace(microsecond=0) + timedelta(seconds=1)
    return [t for t in ref_candidates(ref, start, until) if ref_matches(ref, t)]


def ref_timeline(expr: str, start: datetime, end: datetime, buckets: int) -> list[int]:
    ref = ref_parse(expr)
    counts = [0] * buckets
    span = end - start
    for t in ref_candidates(ref, start, end):
        if ref_matches(ref, t):
            counts[int((t - start) * buckets // span)] += 1
    return counts


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)
