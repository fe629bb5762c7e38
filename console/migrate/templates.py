"""The files `console migrate` writes, read from console/migrate/templates/ and filled in."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


@cache
def template_text(name: str) -> str:
    """The text of `templates/<name>.tmpl` (packaged with the console)."""
    return (resources.files("console.migrate") / "templates" / f"{name}.tmpl").read_text("utf-8")


def template_names() -> tuple[str, ...]:
    folder = resources.files("console.migrate") / "templates"
    return tuple(
        sorted(p.name.removesuffix(".tmpl") for p in folder.iterdir() if p.name.endswith(".tmpl"))
    )


def placeholders(name: str) -> frozenset[str]:
    return frozenset(_PLACEHOLDER.findall(template_text(name)))


def render(name: str, **values: str) -> str:
    """The template with every `{{key}}` replaced; a missing or unused value is a bug, so raises."""
    wanted = placeholders(name)
    if wanted != set(values):
        missing = sorted(wanted - set(values))
        extra = sorted(set(values) - wanted)
        raise KeyError(f"template {name}: missing {missing}, unused {extra}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template_text(name))
