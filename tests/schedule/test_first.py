"""First checks of parse_cron and next_fires (fuller tables and properties follow)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.errors import CronError
from console.schedule import next_fires, parse_cron


def test_last_day_of_february_in_a_leap_year() -> None:
    fires = next_fires("0 0 L * *", datetime(2024, 2, 1, tzinfo=UTC), 2)
    assert fires == [datetime(2024, 2, 29, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC)]


def test_out_of_range_day_points_at_the_field() -> None:
    with pytest.raises(CronError) as info:
        parse_cron("0 0 32 * *")
    assert str(info.value) == 'day-of-month field "32": 32 is out of range 1-31'
    assert info.value.field == "day-of-month"
