"""Random cron expressions in the platform's dialect, for hypothesis and for the golden corpus.

One generator, two sources of choices: a hypothesis `draw` (so failures shrink towards the
simplest options, which come first) or a seeded `random.Random` (for a fixed corpus).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

from hypothesis import strategies as st

T = TypeVar("T")
Integer = Callable[[int, int], int]  # integer(lo, hi) -> a value in [lo, hi]

LIMITS = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dom": (1, 31),
    "month": (1, 12),
    "dow": (0, 7),
}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _choice(integer: Integer, options: list[T]) -> T:
    return options[integer(0, len(options) - 1)]


def _name(integer: Integer, field: str, v: int) -> str:
    name = MONTHS[v - 1] if field == "month" else DAYS[v % 7]
    return _choice(integer, [name, name.lower(), name.capitalize()])


def _value(integer: Integer, field: str, lo: int, hi: int, wild: bool) -> str:
    v = integer(lo, hi)
    if field in ("month", "dow") and integer(0, 3) == 0 and not (field == "dow" and v == 7):
        return _name(integer, field, v)
    if wild and integer(0, 40) == 0:
        return str(hi + integer(1, 3))  # out of range
    return str(v)


def _item(integer: Integer, field: str, wild: bool) -> str:
    lo, hi = LIMITS[field]
    kind = integer(0, 7)
    if kind == 0:
        return _value(integer, field, lo, hi, wild)
    if kind == 1:
        a = integer(lo, hi)
        b = integer(a, hi)
        if wild and integer(0, 30) == 0:
            a, b = b, a
        return f"{a}-{b}"
    if kind == 2:
        return f"*/{integer(1, hi - lo + 2)}"
    if kind == 3:
        a = integer(lo, hi)
        return f"{a}/{integer(1, hi - lo + 1)}"
    if kind == 4:
        a = integer(lo, hi)
        b = integer(a, hi)
        return f"{a}-{b}/{integer(1, max(1, b - a + 1))}"
    if kind == 5 and field in ("month", "dow"):
        a = integer(lo, min(hi, 6 if field == "dow" else hi))
        b = integer(a, min(hi, 6 if field == "dow" else hi))
        return f"{_name(integer, field, a)}-{_name(integer, field, b)}"
    if kind == 6 and field == "dom":
        return "L"
    if kind == 6 and field == "dow":
        return f"{integer(0, 7)}L"
    return _value(integer, field, lo, hi, wild)


def field_text(integer: Integer, field: str, wild: bool = False) -> str:
    """One field: *, ?, a value, a range, a step, a list, names, L, nL, n#k."""
    kind = integer(0, 9)
    if kind == 0:
        return "*"
    if kind == 1 and field in ("dom", "dow"):
        return "?"
    if kind == 2 and field == "dow":
        return f"{integer(0, 7)}#{integer(1, 5)}"
    if kind == 3 and field in ("minute", "second"):
        return "0"  # sparse schedules are common and make windows interesting
    if kind in (4, 5):
        return ",".join(_item(integer, field, wild) for _ in range(integer(2, 3)))
    return _item(integer, field, wild)


def expression(integer: Integer, wild: bool = False) -> str:
    shape = integer(0, 11)
    if shape == 0:
        return _choice(integer, ["@yearly", "@monthly", "@weekly", "@daily", "@hourly"])
    fields = ["minute", "hour", "dom", "month", "dow"]
    if shape in (1, 2):
        fields = ["second", *fields]
    if shape == 3:
        fields = fields[-integer(1, 4) :]  # fewer than 5 fields: the platform right-aligns
    return " ".join(field_text(integer, f, wild) for f in fields)


@st.composite
def expressions(draw: st.DrawFn) -> str:
    """Expressions made only of forms the platform accepts (they may still never fire)."""
    return expression(lambda lo, hi: draw(st.integers(lo, hi)))


def corpus(seed: int, n: int) -> list[str]:
    """A fixed list, including some out-of-range and backwards values the platform rejects."""
    rng = random.Random(seed)
    return [expression(rng.randint, wild=True) for _ in range(n)]
