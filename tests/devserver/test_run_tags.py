"""Exact per-run logs: the Node preload marks a console request's lines with its run id."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from console.devserver.line_reader import LineReader
from console.devserver.run_tags import (
    RUN_HEADER,
    TAG_END,
    TAG_START,
    node_options,
    preload_path,
    split_tag,
    strip_tag,
)

SITE = Path(__file__).with_name("tagged_site.js")
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")


def tag(run_id: str, text: str) -> str:
    return f"{TAG_START}{run_id}{TAG_END}{text}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (tag("0mabc12345xyzq", "hello"), ("0mabc12345xyzq", "hello")),
        (tag("a.b_c-D", ""), ("a.b_c-D", "")),
        ("plain line", (None, "plain line")),
        # not a mark: bad characters in the id, no end, an empty or too long id
        (tag("no spaces", "x"), (None, tag("no spaces", "x"))),
        (TAG_START + "abc", (None, TAG_START + "abc")),
        (tag("", "x"), (None, tag("", "x"))),
        (tag("a" * 65, "x"), (None, tag("a" * 65, "x"))),
    ],
)
def test_split_tag(line: str, expected: tuple[str | None, str]) -> None:
    assert split_tag(line) == expected
    assert strip_tag(line) == expected[1]


def test_the_line_reader_keeps_a_valid_mark_and_strips_everything_else() -> None:
    reader = LineReader()
    data = (
        tag("run1", "\x1b[31mred\x1b[0m text")
        + "\n"  # colours inside a marked line
        + "\x1e\x1fjunk \x1b]0;title\x07after\n"  # an empty id: not a mark, stripped
        + "plain\n"
    ).encode()
    assert reader.feed(data) == [tag("run1", "red text"), "junk after", "plain"]
    # a marked line split across two reads
    assert reader.feed(tag("run2", "first half").encode()) == []
    assert reader.feed(b" second half\n") == [tag("run2", "first half second half")]
    assert reader.feed(tag("run3", "no newline").encode()) == []
    assert reader.flush() == [tag("run3", "no newline")]


def test_node_options_keep_the_users_own_and_quote_a_path_with_spaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = str(preload_path())
    assert preload_path().is_file()
    assert node_options({}) == f"--require {path}"
    assert node_options({"NODE_OPTIONS": "--max-old-space-size=4096"}) == (
        f"--max-old-space-size=4096 --require {path}"
    )
    monkeypatch.setattr(
        "console.devserver.run_tags.preload_path", lambda: Path("/opt/my app/run_tags.cjs")
    )
    assert node_options({}) == '--require "/opt/my app/run_tags.cjs"'


SCRIPT = r"""
const http = require('node:http')
const s = http.createServer(async (req, res) => {
  const who = new URL(req.url, 'http://x').searchParams.get('who')
  console.log(`start ${who}`)
  await new Promise((r) => setTimeout(r, 50))
  process.stdout.write(`part ${who} `)
  process.stdout.write(Buffer.from(`rest ${who}\nsecond ${who}\n`))
  console.error(`err ${who}`)
  res.end('ok')
})
s.listen(0, '127.0.0.1', async () => {
  const port = s.address().port
  console.log('listening')
  const get = (who, id) => new Promise((r) => http.get(
    { port, host: '127.0.0.1', path: '/?who=' + who, headers: id ? { 'HEADER': id } : {} },
    (res) => { res.resume(); res.on('end', r) }))
  await Promise.all([get('A', 'runA'), get('B', 'runB'), get('C', null)])
  s.close()
})
""".replace("HEADER", RUN_HEADER)


def run_node(tmp_path: Path, preload: bool) -> list[str]:
    script = tmp_path / "overlap.js"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    if preload:
        env["NODE_OPTIONS"] = node_options(env)
    out = subprocess.run(
        ["node", str(script)], env=env, capture_output=True, timeout=60, check=True
    )
    # split("\n"), not splitlines(): that one also splits at the mark's record separator
    return sorted(line for line in (out.stdout + out.stderr).decode().split("\n") if line)


@needs_node
def test_the_preload_marks_exactly_the_lines_of_requests_that_carry_the_header(
    tmp_path: Path,
) -> None:
    lines = run_node(tmp_path, preload=True)
    by_run: dict[str | None, list[str]] = {}
    for line in lines:
        run_id, text = split_tag(line)
        by_run.setdefault(run_id, []).append(text)
    by_run = {k: sorted(v) for k, v in by_run.items()}
    assert by_run["runA"] == ["err A", "part A rest A", "second A", "start A"]
    assert by_run["runB"] == ["err B", "part B rest B", "second B", "start B"]
    assert by_run[None] == ["err C", "listening", "part C rest C", "second C", "start C"]


@needs_node
def test_without_the_header_the_site_prints_exactly_what_it_prints_without_the_preload(
    tmp_path: Path,
) -> None:
    script = tmp_path / "plain.js"
    script.write_text(
        "process.stdout.write('a'); process.stdout.write('b\\n');"
        "console.log('%s and %d', 'fmt', 3); console.error(new Error('boom').message);"
        "process.stdout.write(Buffer.from([0xe2, 0x82, 0xac, 0x0a]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    plain = subprocess.run(["node", str(script)], env=env, capture_output=True, check=True)
    env["NODE_OPTIONS"] = node_options(env)
    loaded = subprocess.run(["node", str(script)], env=env, capture_output=True, check=True)
    assert (loaded.stdout, loaded.stderr) == (plain.stdout, plain.stderr)
    assert plain.stdout == "ab\nfmt and 3\n€\n".encode()


@pytest.mark.parametrize("text", ["ascii", "ünïcode €"])
def test_marks_only_where_a_line_begins_and_valid_survive_the_fast_path(text: str) -> None:
    reader = LineReader()
    block = "".join(
        [
            tag("run1", f"{text} one") + "\n",
            tag("run2", f"{text} two") + "\n",
            f"{text} mid {TAG_START}run3{TAG_END}line\n",  # not at a line start: stripped
            tag("bad id!", text) + "\n",  # invalid: stripped
            f"{text} plain\n",
        ]
    )
    assert reader.feed(block.encode()) == [
        tag("run1", f"{text} one"),
        tag("run2", f"{text} two"),
        f"{text} mid run3line",
        f"bad id!{text}",
        f"{text} plain",
    ]
    # a block of nothing but valid marks keeps every one of them
    clean = tag("r1", text) + "\n" + tag("r2", text) + "\n"
    assert reader.feed(clean.encode()) == [tag("r1", text), tag("r2", text)]
