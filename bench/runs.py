"""Benchmark: 500 concurrent background runs through the engine vs the same requests by bare httpx.

A tiny asyncio HTTP server in a child process answers at once (so its CPU is not ours). Each
round sends 500 POSTs with a bare `httpx.AsyncClient` (the baseline) and 500 background runs
through the engine (history on disk, events, state machine), interleaved, and reports the median
wall time and the console's own CPU time per run, with the ratio to the baseline.

    python bench/runs.py [--runs 500] [--rounds 5]

`--functions` measures the Netlify function path instead: the real Netlify CLI's functions
server (`netlify functions:serve`, started by the engine as `console open` starts it, from
examples/acme's node_modules), with `--runs` concurrent runs of a synchronous function through
the engine against the same requests sent bare to the functions server.

    python bench/runs.py --functions [--runs 5] [--rounds 5]
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


ACME = Path(__file__).resolve().parent.parent / "examples" / "acme"
FUNCTION = "/.netlify/functions/slow-export"  # `?seconds=0`: logs two lines, answers JSON at once


async def function_path(n: int, rounds: int, root: Path) -> dict[str, list[tuple[float, float]]]:
    """Bare requests and engine runs against one functions server, interleaved per round."""
    import socket

    from console.project import discover

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dev_port = s.getsockname()[1]  # nothing listens there: only functions are sent
    project = discover(ACME)
    settings = Settings(
        (Target("local", TargetKind.LOCAL, f"http://127.0.0.1:{dev_port}"),),
        path=root / "console.toml",
    )
    store = RunStore(root / ".console" / "history.sqlite3")
    engine = Engine(project, settings, store)
    await engine.start()
    route = engine.route_for(FUNCTION)
    request = RunRequest(query=(("seconds", "0"),))
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "console": []}
    try:
        await engine.ensure_for(route)
        assert engine.functions is not None and engine.functions.url is not None
        url = f"{engine.functions.url}{FUNCTION}?seconds=0"
        async with httpx.AsyncClient(trust_env=False, timeout=60, limits=LIMITS) as client:

            async def bare_round(k: int) -> tuple[float, float]:
                t0, c0 = time.perf_counter(), time.process_time()
                answers = await asyncio.gather(*(client.get(url) for _ in range(k)))
                assert all(a.status_code == 200 for a in answers)
                return time.perf_counter() - t0, time.process_time() - c0

            async def console_round(k: int) -> tuple[float, float]:
                t0, c0 = time.perf_counter(), time.process_time()
                local = settings.local
                runs = await asyncio.gather(*(engine.run(route, local, request) for _ in range(k)))
                bad = [r for r in runs if r.state is not RunState.SUCCEEDED]
                if bad:
                    raise SystemExit(f"{len(bad)} function runs did not succeed: {bad[0].reason}")
                return time.perf_counter() - t0, time.process_time() - c0

            await bare_round(5)  # the CLI bundles the function on its first request
            await console_round(5)
            for _ in range(rounds):
                results["bare"].append(await bare_round(n))
                results["console"].append(await console_round(n))
    finally:
        await engine.close()
        store.close()
    return results


def report(title: str, n: int, rounds: int, results: dict[str, list[tuple[float, float]]]) -> None:
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in results.items()}  # fmt: skip
    print(f"{title}, median of {rounds} rounds")
    for k in ("bare", "console"):
        wall, cpu = med[k]
        print(f"  {k:<8} wall {wall * 1000:7.1f} ms   cpu/run {cpu / n * 1e6:7.0f} us")
    ratio_wall = med["console"][0] / med["bare"][0]
    ratio_cpu = med["console"][1] / med["bare"][1]
    print(f"  ratio    wall {ratio_wall:.2f}x   cpu {ratio_cpu:.2f}x   (aim: within 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--functions", action="store_true", help="the Netlify function path")
    args = parser.parse_args()
    if args.functions:
        n = args.runs or 5
        with tempfile.TemporaryDirectory() as tmp:
            found = asyncio.run(function_path(n, args.rounds, Path(tmp)))
        title = f"{n} concurrent runs of {FUNCTION}?seconds=0 on the Netlify CLI's functions server"
        report(title, n, args.rounds, found)
        return
    args.runs = args.runs or 500
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
    report(f"{args.runs} concurrent background runs", args.runs, args.rounds, results)


if __name__ == "__main__":
    main()
