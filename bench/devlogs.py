"""How fast the dev server supervisor delivers a flood of output, against a plain pipe.

A child prints LINES lines as fast as it can: `cat` of a file holding them, which is faster
than any dev server and so puts the supervisor itself under test. Figures, all in this run:
- pipe:        the same `cat` into a plain pipe, read raw to the end (the floor);
- supervisor:  the same `cat` run as the dev command by DevServer (guard, non-blocking reads,
               decoding, sanitizing, splitting), until a subscriber has received every line
               (a batch subscriber, as the engine is: one call per slice of a read);
- for scale:   the simplest Python reader of the same `cat` (`for line in text_pipe`), and a
               Python child that formats and prints the lines itself, through the supervisor
               and through a plain pipe.
- tagging:     the same lines marked by the Node preload (RS run id US line), through the
               supervisor, and through the engine's line path (`Engine.on_dev_lines`, where
               the mark is read) against unmarked lines (aim: the marks cost under 10%).
The ratio supervisor / pipe is the figure to watch (aim: within 3x). Memory: the peak of
Python allocations (tracemalloc) while delivering 10x fewer and then all the lines; flat means
the peak does not grow with the amount of output.

Run: python bench/devlogs.py [--lines N] [--repeat R]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.devserver.run_tags import TAG_END, TAG_START
from console.devserver.supervisor import DevServer
from console.engine import Engine, RunStore
from console.engine.events import EventBus
from console.model import Project, Target, TargetKind
from console.settings import DevSettings, Settings

# Listens (so the supervisor sees a ready server), then floods when asked to, then waits.
CHILD = """
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(os.environ["PORT"]))); s.listen()
n = int(sys.argv[1]); w = sys.stdout.write
for i in range(n):
    w(f"{i:07d} GET /api/send-emails-background 200 step {i % 3 + 1}/3 sent to user{i}@example.test\\n")
sys.stdout.flush()
time.sleep(600)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_lines_naively(argv: list[str], expected_lines: int) -> float:
    """The simplest Python consumer: a text-mode pipe, one decoded line at a time."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, errors="replace")
    assert proc.stdout is not None
    lines = 0
    for _line in proc.stdout:
        lines += 1
    elapsed = time.perf_counter() - start
    proc.wait()
    proc.stdout.close()
    assert lines == expected_lines, (lines, expected_lines)
    return elapsed


def read_raw(argv: list[str], expected_lines: int) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, env={**os.environ, "PORT": str(free_port())}
    )
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    lines = 0
    while lines < expected_lines:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    proc.stdout.close()
    assert lines == expected_lines, (lines, expected_lines)
    return elapsed


startups: list[float] = []  # time to the first line of each supervised run


def python_command(child: Path, n: int) -> str:
    return f"exec {shlex.quote(sys.executable)} {shlex.quote(str(child))} {n}"


def cat_command(child: Path, data: Path) -> str:
    # The child listens and prints nothing (0 lines); `cat` floods the shared output pipe.
    return f"{python_command(child, 0)[5:]} & cat {shlex.quote(str(data))}; wait"


async def supervise(child: Path, command: str, n: int, *, trace: bool = False) -> tuple[float, int]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        targets=(Target("local", TargetKind.LOCAL, url),),
        dev=DevSettings(command=command, url=url, start_timeout=60),
    )
    count = 0
    done = asyncio.Event()
    first = 0.0

    def on_lines(lines: Sequence[str]) -> None:
        # A batch subscriber, as the engine is: it sees every line of each batch handed over.
        nonlocal count, first
        if count == 0:
            first = time.perf_counter()
        for _line in lines:
            count += 1
        if count == n:
            done.set()

    project = Project(root=child.parent, routes=(), problems=())
    dev = DevServer(project, settings, EventBus(), on_lines=on_lines)
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    start = time.perf_counter()
    ready = asyncio.create_task(dev.ensure())
    await asyncio.wait_for(done.wait(), 120)
    elapsed = time.perf_counter() - start
    startups.append(first - start)
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    await ready
    await dev.stop()
    assert count == n
    return elapsed, peak


def engine_path(lines: list[str], root: Path, repeat: int) -> float:
    """Best time for the engine to take `lines` in supervisor-sized batches (no run in flight)."""
    best = float("inf")
    for i in range(repeat):
        store = RunStore(root / f"bench-{i}.sqlite3")
        settings = Settings(targets=(Target("local", TargetKind.LOCAL, "http://127.0.0.1:9"),))
        engine = Engine(Project(root=root, routes=(), problems=()), settings, store)
        start = time.perf_counter()
        for j in range(0, len(lines), 250):
            engine.on_dev_lines(lines[j : j + 250])
        best = min(best, time.perf_counter() - start)
        store.close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.lines
    with tempfile.TemporaryDirectory() as tmp:
        child = Path(tmp) / "flood.py"
        child.write_text(CHILD)
        data = Path(tmp) / "flood.txt"
        with data.open("wb") as f:
            subprocess.run(
                [sys.executable, "-c", CHILD.replace("time.sleep(600)", ""), str(n)],
                stdout=f,
                check=True,
                env={**os.environ, "PORT": str(free_port())},
            )
        size = data.stat().st_size
        small = Path(tmp) / "small.txt"
        with small.open("wb") as f:
            subprocess.run(
                [sys.executable, "-c", CHILD.replace("time.sleep(600)", ""), str(n // 10)],
                stdout=f,
                check=True,
                env={**os.environ, "PORT": str(free_port())},
            )
        best = args.repeat
        pipe = min(read_raw(["cat", str(data)], n) for _ in range(best))
        naive = min(read_lines_naively(["cat", str(data)], n) for _ in range(best))
        sup = min(
            asyncio.run(supervise(child, cat_command(child, data), n))[0] for _ in range(best)
        )
        startup = min(startups)
        py_pipe = min(read_raw([sys.executable, str(child), str(n)], n) for _ in range(best))
        py_sup = min(
            asyncio.run(supervise(child, python_command(child, n), n))[0] for _ in range(best)
        )
        mark = f"{TAG_START}0mbench00000001{TAG_END}"
        tagged = Path(tmp) / "tagged.txt"
        tagged.write_bytes(
            b"".join(mark.encode() + line + b"\n" for line in data.read_bytes().splitlines())
        )
        sup_tagged = min(
            asyncio.run(supervise(child, cat_command(child, tagged), n))[0] for _ in range(best)
        )
        plain_lines = data.read_text().split("\n")[:-1]
        tagged_lines = [mark + line for line in plain_lines]
        eng_plain = engine_path(plain_lines, Path(tmp), best)
        eng_tagged = engine_path(tagged_lines, Path(tmp), best)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _, peak_small = asyncio.run(
            supervise(child, cat_command(child, small), n // 10, trace=True)
        )
        _, peak_full = asyncio.run(supervise(child, cat_command(child, data), n, trace=True))
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"lines: {n:,} ({size / 1e6:.1f} MB), best of {args.repeat}")
    print(f"pipe: cat -> raw read:            {pipe * 1000:8.1f} ms")
    print(f"supervisor: cat -> subscriber:    {sup * 1000:8.1f} ms  ({n / sup:,.0f} lines/s)")
    print(f"ratio supervisor / pipe:          {sup / pipe:8.2f}x")
    print(
        f"  of which starting (guard + sh): {startup * 1000:8.1f} ms to the first line; "
        f"without it {(sup - startup) / pipe:.2f}x"
    )
    print(f"for scale: cat -> `for line in pipe`: {naive * 1000:6.1f} ms  ({sup / naive:.2f}x)")
    print(f"python child -> raw read:         {py_pipe * 1000:8.1f} ms")
    print(f"python child -> supervisor:       {py_sup * 1000:8.1f} ms  ({py_sup / py_pipe:.2f}x)")
    print(
        f"tagged lines -> supervisor:       {sup_tagged * 1000:8.1f} ms  ({sup_tagged / sup:.2f}x of unmarked)"
    )
    print(
        f"engine line path: unmarked {eng_plain * 1000:.1f} ms, marked {eng_tagged * 1000:.1f} ms"
        f"  ({eng_tagged / eng_plain:.2f}x)"
    )
    total_plain, total_tagged = sup + eng_plain, sup_tagged + eng_tagged
    print(
        f"output path (supervisor + engine): the marks cost {100 * (total_tagged / total_plain - 1):+.1f}%"
    )
    print(
        f"peak traced memory: {n // 10:,} lines {peak_small / 1024:.0f} KiB, "
        f"{n:,} lines {peak_full / 1024:.0f} KiB"
    )
    print(
        f"max RSS: {rss_before / 1024:.1f} MiB before the memory runs, {rss_after / 1024:.1f} MiB after"
    )


if __name__ == "__main__":
    main()
