"""JavaScript's view of values read from a config: truthiness and `String(value)`."""

from __future__ import annotations

import math
from typing import Any

from console.project.const_value import UNDEFINED, Regex, Undefined


def truthy(value: Any) -> bool:
    """JavaScript truthiness: `undefined`, null, false, 0, NaN and "" are false."""
    if value is None or isinstance(value, Undefined) or value is False:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, int | float | str):
        return bool(value)
    return True


def js_string(value: Any) -> str:
    """`String(value)` as JavaScript would print it in a template literal."""
    if value is None:
        return "null"
    if isinstance(value, Undefined):
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, Regex):
        return f"/{value.pattern}/{value.flags}"
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_type(value: Any) -> str:
    """A word for the kind of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, Undefined):
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Regex):
        return "regular expression"
    if isinstance(value, list):
        return "array"
    return "object"
