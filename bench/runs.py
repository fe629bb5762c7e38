"""Benchmark: 500 concurrent background runs through the engine vs the same requests by bare httpx.

A tiny asyncio HTTP server in a child process answers at once (so its CPU is not ours). Each
round sends 500 POSTs with a bare `httpx.AsyncClient` (the baseline) and 500 background runs
through the engine (history on disk, events, state machine), interleaved, and reports the median
wall time and the console's own CPU time per run, with the ratio to the baseline.

    python bench/runs.py [--runs 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.engine import Engine, RunRequest, RunStore
from console.model import Project, Route, RouteKind, RunState, Target, TargetKind
from console.settings import Settings

SERVER = r"""
import asyncio, sys

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"""

ROUTE = Route("/api/bench-background", RouteKind.BACKGROUND, None, "pages/api/b.js", 1, "b")
LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=100)


async def bare(url: str, n: int) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    async with httpx.AsyncClient(
        trust_env=False, timeout=httpx.Timeout(None, connect=10), limits=LIMITS
    ) as client:

        async def one() -> None:
            r = await client.post(f"{url}{ROUTE.route}")
            r.raise_for_status()

        await asyncio.gather(*(one() for _ in range(n)))
    return time.perf_counter() - t0, time.process_time() - c0


async def console(url: str, n: int, root: Path) -> tuple[float, float]:
    store = RunStore(root / ".console" / "history.sqlite3")
    settings = Settings((Target("local", TargetKind.LOCAL, url),), path=root / "console.toml")
    engine = Engine(Project(root, (ROUTE,), ()), settings, store)
    t0, c0 = time.perf_counter(), time.process_time()
    await engine.start()
    runs = await asyncio.gather(
        *(engine.run(ROUTE, settings.local, RunRequest(retries=False)) for _ in range(n))
    )
    await engine.close()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    bad = [r for r in runs if r.state is not RunState.SUCCEEDED]
    if bad:
        raise SystemExit(f"{len(bad)} runs did not succeed, e.g. {bad[0].reason}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "console": []}
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(bare(url, 50))  # warm up imports and the server
            for i in range(args.rounds):
                results["bare"].append(asyncio.run(bare(url, args.runs)))
                results["console"].append(asyncio.run(console(url, args.runs, Path(tmp) / str(i))))
    finally:
        server.terminate()
        server.wait(10)
    n = args.runs
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in results.items()}  # fmt: skip
    print(f"{n} concurrent background runs, median of {args.rounds} rounds")
    for k in ("bare", "console"):
        wall, cpu = med[k]
        print(f"  {k:<8} wall {wall * 1000:7.1f} ms   cpu/run {cpu / n * 1e6:7.0f} us")
    ratio_wall = med["console"][0] / med["bare"][0]
    ratio_cpu = med["console"][1] / med["bare"][1]
    print(f"  ratio    wall {ratio_wall:.2f}x   cpu {ratio_cpu:.2f}x   (aim: within 2x)")


if __name__ == "__main__":
    main()
