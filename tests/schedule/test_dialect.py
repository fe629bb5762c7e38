"""Table tests: every form the platform rejects, with its message; warnings; descriptions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.errors import CronError
from console.schedule import describe, next_fires, parse_cron

REJECTED = [
    # (expression, field, exact message)
    ("", None, "the schedule is empty"),
    ("   ", None, "the schedule is empty"),
    ("0 0 15W * *", "day-of-month", 'day-of-month field "15W": W (nearest weekday) is not supported by the platform'),
    ("0 0 LW * *", "day-of-month", 'day-of-month field "LW": W (nearest weekday) is not supported by the platform'),
    ("H * * * *", "minute", 'minute field "H": H (a hashed value) is a croniter/Jenkins extension the platform rejects'),
    ("0 H(0-5) * * *", "hour", 'hour field "H(0-5)": H (a hashed value) is a croniter/Jenkins extension the platform rejects'),
    ("TZ=Europe/Paris 0 0 * * *", None, '"TZ=Europe/Paris": the platform runs every schedule in UTC and takes no time-zone prefix'),
    ("CRON_TZ=UTC 0 0 * * *", None, '"CRON_TZ=UTC": the platform runs every schedule in UTC and takes no time-zone prefix'),
    ("@annually", None, '"@annually" is not an alias the platform knows; use @yearly'),
    ("@midnight", None, '"@midnight" is not an alias the platform knows; use @daily'),
    ("@reboot", None, '"@reboot" is not an alias the platform knows; it knows only @yearly, @monthly, @weekly, @daily, @hourly'),
    ("@every 5m", None, '"@every 5m" is not an alias the platform knows (@yearly, @monthly, @weekly, @daily, @hourly)'),
    ("@DAILY", None, '"@DAILY": @-aliases are lowercase (@yearly, @monthly, @weekly, @daily, @hourly)'),
    (" @daily", None, '" @daily": the platform only recognises an @-alias written alone, without surrounding spaces'),
    ("0 0 12 * * * 2025", None, "7 fields: the platform takes 5 (minute hour day-of-month month day-of-week) or 6 with a leading seconds field"),
    ("60 * * * *", "minute", 'minute field "60": 60 is out of range 0-59'),
    ("0 24 * * *", "hour", 'hour field "24": 24 is out of range 0-23'),
    ("0 0 0 * *", "day-of-month", 'day-of-month field "0": 0 is out of range 1-31'),
    ("0 0 32 * *", "day-of-month", 'day-of-month field "32": 32 is out of range 1-31'),
    ("0 0 * 13 *", "month", 'month field "13": 13 is out of range 1-12'),
    ("0 0 * * 8", "day-of-week", 'day-of-week field "8": 8 is out of range 0-7'),
    ("60 0 0 * * *", "second", 'second field "60": 60 is out of range 0-59'),
    ("0 0 0 * * 30", "day-of-week", 'day-of-week field "30": 30 is out of range 0-7 (with 6 fields the platform reads the FIRST as seconds, not the last)'),
    ("0-60 * * * *", "minute", 'minute field "0-60": 60 is out of range 0-59'),
    ("0 22-2 * * *", "hour", 'hour field "22-2": the range 22-2 runs backwards (ranges do not wrap around)'),
    ("*/0 * * * *", "minute", 'minute field "*/0": the step "0" must be a whole number of at least 1'),
    ("*/x * * * *", "minute", 'minute field "*/x": the step "x" must be a whole number of at least 1'),
    ("1/2/3 * * * *", "minute", 'minute field "1/2/3": "1/2/3" has more than one /'),
    ("1,,2 * * * *", "minute", 'minute field "1,,2": a list item is empty'),
    ("5- * * * *", "minute", 'minute field "5-": "5-" is not a range like 1-5'),
    ("1-2-3 * * * *", "minute", 'minute field "1-2-3": "1-2-3" is not a range like 1-5'),
    ("0 0 31 2 *", "day-of-month", 'day-of-month field "31": February never has day 31, so the platform rejects it'),
    ("0 0 30 2 *", "day-of-month", 'day-of-month field "30": February never has day 30, so the platform rejects it'),
    ("0 0 31 2 1", "day-of-month", 'day-of-month field "31": February never has day 31, so the platform rejects it'),
    ("0 0 31 APR *", "day-of-month", 'day-of-month field "31": April never has day 31, so the platform rejects it'),
    ("0 0 31 4,6 *", "day-of-month", 'day-of-month field "31": no month in month field "4,6" has such a day, so the schedule never fires'),
    ("0 0 31 2,2 *", "day-of-month", 'day-of-month field "31": no month in month field "2,2" has such a day, so the schedule never fires'),
    ("0 0 * * L5", "day-of-week", 'day-of-week field "L5": the platform writes "last weekday" as 5L (weekday first), not L5'),
    ("0 0 * * L", "day-of-week", 'day-of-week field "L": L needs a weekday before it, like 5L (the last Friday of the month)'),
    ("0 0 * * 8L", "day-of-week", 'day-of-week field "8L": 8 is out of range 0-7'),
    ("0 0 * * 5L/2", "day-of-week", 'day-of-week field "5L/2": "5L" (last weekday) cannot take a step'),
    ("0 0 5L * *", "day-of-month", 'day-of-month field "5L": nL is a day-of-week form; in day-of-month write L alone for the last day'),
    ("0 0 L-2 * *", "day-of-month", 'day-of-month field "L-2": L (last day) must stand alone, without an offset, range or step'),
    ("0 0 L/2 * *", "day-of-month", 'day-of-month field "L/2": L (last day) cannot take a step'),
    ("0 0 * * 1#6", "day-of-week", 'day-of-week field "1#6": the occurrence "6" after # must be 1-5'),
    ("0 0 * * 1#0", "day-of-week", 'day-of-week field "1#0": the occurrence "0" after # must be 1-5'),
    ("0 0 * * 1#2#3", "day-of-week", 'day-of-week field "1#2#3": only one # is allowed'),
    ("0 0 * * 1,2#2", "day-of-week", "day-of-week field \"1,2#2\": # cannot be combined with ','"),
    ("0 0 * * 1-2#2", "day-of-week", "day-of-week field \"1-2#2\": # cannot be combined with '-'"),
    ("0 0 * * *#2", "day-of-week", 'day-of-week field "*#2": # needs one weekday before it, like 1#2 (the second Monday)'),
    ("0 0 * * 5L#2", "day-of-week", 'day-of-week field "5L#2": # needs one weekday before it, like 1#2 (the second Monday)'),
    ("0 0 1#2 * *", "day-of-month", 'day-of-month field "1#2": # is only allowed in the day-of-week field'),
    ("0 0 * * MONDAY", "day-of-week", 'day-of-week field "MONDAY": "MONDAY" is not a day name (SUN, MON, TUE, WED, THU, FRI, SAT)'),
    ("0 0 * JANUARY *", "month", 'month field "JANUARY": "JANUARY" is not a month name (JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC)'),
    ("0 0 * MON *", "month", 'month field "MON": day names like MON belong in the day-of-week field'),
    ("0 0 * * JAN", "day-of-week", 'day-of-week field "JAN": month names like JAN belong in the month field'),
    ("0 MON * * *", "hour", 'hour field "MON": day names like MON belong in the day-of-week field'),
    ("0 abc * * *", "hour", 'hour field "abc": names are only allowed in the month and day-of-week fields, not in hour'),
    ("0 0 ? * ?/2", "day-of-week", 'day-of-week field "?/2": ? must stand alone'),
    ("? 0 * * *", "minute", 'minute field "?": ? is only allowed in the day-of-month and day-of-week fields'),
    ("0 L * * *", "hour", 'hour field "L": L is only allowed in the day-of-month and day-of-week fields'),
    ("0 0 1.5 * *", "day-of-month", 'day-of-month field "1.5": "1.5" is not a number'),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "field", "message"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_forms_say_which_field_and_why(expr: str, field: str | None, message: str) -> None:
    with pytest.raises(CronError) as info:
        parse_cron(expr)
    assert str(info.value) == message
    assert info.value.field == field


def test_errors_are_cached_but_raised_fresh() -> None:
    first = second = None
    for _ in range(2):
        try:
            parse_cron("0 0 32 * *")
        except CronError as exc:
            first, second = second, exc
    assert first is not None and second is not None and first is not second
    assert str(first) == str(second)


def test_parses_are_cached() -> None:
    assert parse_cron("*/7 * * * *") is parse_cron("*/7 * * * *")


WARNED = [
    ("30 0 0 * * *", ["cron-extension"], "leading seconds field"),
    ("0 0 L * *", ["cron-extension"], 'day-of-month field "L": L (last day of the month)'),
    ("0 0 * * 5L", ["cron-extension"], 'day-of-week field "5L": nL (last weekday of the month)'),
    ("0 0 * * 1#2", ["cron-extension"], 'day-of-week field "1#2": # (nth weekday of the month)'),
    ("0 0 ? * MON", ["cron-extension"], 'day-of-month field "?": ?'),
    ("5 * * *", ["cron-short"], 'only 4 fields: the platform reads "5 * * *" as "* 5 * * *"'),
    ("5", ["cron-short"], 'only 1 field: the platform reads "5" as "* * * * 5"'),
]


@pytest.mark.parametrize(("expr", "codes", "fragment"), WARNED)
def test_extensions_and_short_forms_warn(expr: str, codes: list[str], fragment: str) -> None:
    spec = parse_cron(expr)
    assert [w.code for w in spec.warnings] == codes
    assert fragment in spec.warnings[0].message


@pytest.mark.parametrize(
    "expr", ["0 0 * * *", "@daily", "*/15 9-17 * JAN-MAR MON-FRI", "0 12 * * 7", "0 0 1,15 * *"]
)
def test_documented_forms_do_not_warn(expr: str) -> None:
    assert parse_cron(expr).warnings == ()


def test_short_forms_are_read_right_aligned_like_the_platform() -> None:
    after = datetime(2024, 1, 1, tzinfo=UTC)
    # "5 * * *" is hour 5, every minute: not 05:00 once a day.
    fires = next_fires("5 * * *", after, 3)
    assert [f.strftime("%H:%M") for f in fires] == ["05:00", "05:01", "05:02"]


def test_names_are_case_insensitive_and_seven_is_sunday() -> None:
    assert parse_cron("0 0 * jan sun").weekdays == parse_cron("0 0 * 1 7").weekdays == 1
    assert parse_cron("0 0 * Jan-Mar *").months == 0b1110


def test_fires_are_strictly_after_and_whole_seconds() -> None:
    at = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert next_fires("0 12 * * *", at, 1) == [datetime(2024, 1, 2, 12, 0, tzinfo=UTC)]
    half = datetime(2024, 1, 1, 11, 59, 59, 500_000, tzinfo=UTC)
    assert next_fires("0 12 * * *", half, 1) == [at]
    assert next_fires("* * * * * *", half, 1) == [at]
    assert next_fires("0 12 * * *", at, 0) == []


def test_naive_after_is_read_as_utc() -> None:
    naive = datetime(2024, 1, 1, 11, 0)
    assert next_fires("0 12 * * *", naive, 1) == [datetime(2024, 1, 1, 12, tzinfo=UTC)]


def test_rare_schedules_are_found_years_ahead() -> None:
    # The fifth Monday of February needs a leap year whose February starts on a Monday.
    fires = next_fires("0 0 * 2 MON#5", datetime(2017, 1, 1, tzinfo=UTC), 2)
    assert fires == [datetime(2044, 2, 29, tzinfo=UTC), datetime(2072, 2, 29, tzinfo=UTC)]


DESCRIBED = [
    ("*/5 * * * *", "Every 5 minutes"),
    ("0 3 * * 1", "At 03:00, only on Monday (UTC)"),
    ("30 0 0 * * *", "At 00:00:30 (UTC)"),
    ("@daily", "At 00:00 (UTC)"),
    ("@hourly", "Every hour"),
    ("0 0 L * *", "At 00:00, on the last day of the month (UTC)"),
    ("0 0 * * 5L", "At 00:00, on the last Friday of the month (UTC)"),
    ("0 0 * * 1#2", "At 00:00, on the second Monday of the month (UTC)"),
    ("5 * * *", "Every minute, between 05:00 and 05:59 (UTC)"),
]


@pytest.mark.parametrize(("expr", "text"), DESCRIBED)
def test_descriptions(expr: str, text: str) -> None:
    assert describe(expr) == text
    assert describe(parse_cron(expr)) == text


@pytest.mark.parametrize("expr", ["0 0 32 * *", "nonsense", "@reboot", ""])
def test_describe_never_raises_and_falls_back_to_the_expression(expr: str) -> None:
    assert describe(expr) == expr
