"""Random and mutated source text never makes the reader raise: a broken file is a diagnostic."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.model import Problem, RouteKind
from console.project.analysis import analyse_app_route, analyse_next_route
from console.project.function_file import analyse_function
from console.project.next_config import _page_extensions
from console.project.source import Source

from .test_config_table import ACCEPTED, IGNORED, INVALID

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"
SEEDS = [case.text.replace("§", "") for case in [*ACCEPTED, *IGNORED, *INVALID]] + [
    "const { schedule } = require('@netlify/functions')\n"
    "exports.handler = schedule('@daily', async () => ({}))\n",
    "import * as nf from '@netlify/functions'\nexport const handler = nf.schedule(C, f)\n",
    "module.exports = { pageExtensions: ['page.ts', 'api.ts'] }\n",
]
if ACME.is_dir():
    SEEDS += [p.read_text() for p in sorted((ACME / "pages" / "api").glob("*.*"))]

# Pieces that steer mutations towards the reader's corners.
TOKENS = [
    "export",
    "const",
    "config",
    "=",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ":",
    "'",
    '"',
    "`",
    "${",
    "as const",
    "satisfies",
    "<T>",
    "...",
    "\\u{1F600}",
    "\\x4",
    "\\",
    "1n",
    "0x",
    "-",
    "/re/g",
    "schedule(",
    "require(",
    "type:",
    "experimental-background",
    "experimental-scheduled",
    "\n",
    "\x00",
    "é",
    "\ud7ff",
]
NAMES = ["pages/api/x.ts", "pages/api/x.js", "pages/api/x.tsx", "n/f.mts", "n/f.cjs"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    return text


def _read_everything(data: bytes, name: str) -> None:
    source = Source(name, data)
    facts = analyse_next_route(source, index_route=False)
    assert isinstance(facts.kind, RouteKind)
    assert all(isinstance(p, Problem) and p.line >= 1 and p.column >= 1 for p in facts.problems)
    analyse_next_route(source, index_route=True)
    analyse_app_route(source)
    analyse_function(source, "f-background", "@daily")
    analyse_function(source, "f", None)
    _page_extensions(source)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated(), name=st.sampled_from(NAMES))
def test_mutated_sources_never_raise(text: str, name: str) -> None:
    _read_everything(text.encode("utf-8", "surrogatepass"), name)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), name=st.sampled_from(NAMES))
def test_random_bytes_never_raise(data: bytes, name: str) -> None:
    _read_everything(b"config schedule " + data, name)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), name=st.sampled_from(NAMES))
def test_random_text_never_raises(text: str, name: str) -> None:
    _read_everything(("export const config = " + text).encode("utf-8", "surrogatepass"), name)
