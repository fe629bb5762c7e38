"""The platform's cron dialect (cron-parser 4.9 as Netlify uses it): parse, check and warn."""

from __future__ import annotations

from functools import lru_cache

from console.errors import CronError
from console.schedule.days import CP_MONTH_DAYS, fires_ever
from console.schedule.fields import (
    DOM,
    DOW,
    FIVE,
    HOUR,
    MINUTE,
    MONTH,
    MONTH_FULL,
    SECOND,
    SIX,
    ParsedField,
    field_error,
    parse_field,
)
from console.schedule.spec import CronSpec, CronWarning

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
        missing = ", ".join(FIVE[: 5 - len(atoms)])
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


def _extension_warnings(text: str, field: str, f: ParsedField) -> list[CronWarning]:
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
    names = SIX if len(atoms) == 6 else FIVE
    fields: dict[str, ParsedField] = {}
    for name, text in zip(names, atoms, strict=True):
        try:
            fields[name] = parse_field(name, text)
        except CronError as exc:
            if name == DOW and len(atoms) == 6 and "out of range" in str(exc):
                raise CronError(
                    f"{exc} (with 6 fields the platform reads the FIRST as seconds, not the last)",
                    field=exc.field,
                ) from None
            raise
        warnings.extend(_extension_warnings(text, name, fields[name]))
    if SECOND not in fields:
        fields[SECOND] = ParsedField(mask=1, values=[0], count=1)
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
            raise field_error(
                DOM,
                atoms[names.index(DOM)],
                f"{MONTH_FULL[m - 1]} never has day {min(dom_values)}, so the platform rejects it",
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
        raise field_error(
            DOW, dow_text, f'no day in month field "{month_text}" ever matches, so it never fires'
        )
    raise field_error(
        DOM,
        dom_text,
        f'no month in month field "{month_text}" has such a day, so the schedule never fires',
    )
