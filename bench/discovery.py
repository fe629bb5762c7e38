"""Benchmark: `discover()` on a generated 2,000-route project, as a ratio to reading its files.

Run: `python bench/discovery.py [--routes N] [--repeat R]`. The baseline is reading every
route file's bytes from disk in the same process (after a warm-up, so both runs see a warm page
cache), timed back to back with each run so both see the same load. Reported: the cold ratio (no per-file cache, every file read and, where it mentions
`config`, parsed) and the warm ratio (the cache the UI's reload uses). Aim: cold under 5x.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.project import discover
from console.project.facts_cache import clear

HANDLER = """import type {{ NextApiRequest, NextApiResponse }} from 'next'
import {{ db }} from '../../lib/db'

// Route {n}: a realistic body so reading it costs what reading a route costs.
export default async function handler(req: NextApiRequest, res: NextApiResponse) {{
  const rows = await db.query('select * from items where id = $1', [req.query.id])
  if (!rows.length) {{
    res.status(404).json({{ error: 'not found' }})
    return
  }}
  res.status(200).json({{ rows, at: new Date().toISOString() }})
}}
"""
CONFIGS = [
    "export const config = { type: 'experimental-background' }\n",
    "export const config = {\n  type: 'experimental-scheduled',\n  schedule: '*/15 * * * *',\n}\n",
    "export const config = { api: { bodyParser: { sizeLimit: '1mb' } } }\n",
]


def generate(root: Path, routes: int, seed: int = 7, lock_packages: int = 0) -> list[Path]:
    """A Next.js project with `routes` API route files; one in five has a `config` export.

    With `lock_packages`, also a `next` dependency, the runtime, and a package-lock.json of that
    many packages, so that discovery reads the runtime from the lock (once, not per route).
    """
    rng = random.Random(seed)
    if lock_packages:
        deps = {"next": "^13.4.0", "@netlify/plugin-nextjs": "^4.41.3"}
        package = {"name": "bench", "scripts": {"dev": "next dev"}, "dependencies": deps}
        (root / "package.json").write_text(json.dumps(package) + "\n")
        (root / "netlify.toml").write_text('[[plugins]]\n  package = "@netlify/plugin-nextjs"\n')
        (root / "package-lock.json").write_text(json.dumps(_lock(lock_packages), indent=2))
    else:
        (root / "package.json").write_text('{"name": "bench", "scripts": {"dev": "next dev"}}\n')
    files: list[Path] = []
    for n in range(routes):
        group = f"g{n % 40}"
        name = f"[id]-{n}.ts" if n % 10 == 3 else f"route-{n}.ts"
        path = root / "pages" / "api" / group / name
        path.parent.mkdir(parents=True, exist_ok=True)
        config = rng.choice(CONFIGS) if n % 5 == 0 else ""
        path.write_text(config + HANDLER.format(n=n))
        files.append(path)
    return files


def _lock(count: int) -> dict[str, object]:
    packages: dict[str, object] = {"": {"name": "bench"}}
    for n in range(count):
        packages[f"node_modules/pkg-{n}"] = {
            "version": f"1.{n % 50}.{n % 7}",
            "resolved": f"https://registry.npmjs.org/pkg-{n}/-/pkg-{n}-1.0.0.tgz",
            "integrity": "sha512-" + "x" * 86,
            "dependencies": {f"pkg-{(n * 7) % count}": "^1.0.0"},
        }
    packages["node_modules/next"] = {"version": "13.4.19"}
    packages["node_modules/@netlify/plugin-nextjs"] = {"version": "4.41.6"}
    return {"name": "bench", "lockfileVersion": 3, "packages": packages}


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def paired(repeat: int, baseline: Callable[[], object], run: Callable[[], object]) -> list[float]:
    """Ratios run/baseline, each pair timed back to back so both see the same machine load."""
    return [timed(run) / timed(baseline) for _ in range(repeat)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--lock", type=int, default=0, metavar="N",
        help="also a package-lock.json of N packages (a real site's is 500-2,000)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = generate(root, args.routes, lock_packages=args.lock)

        def read_all() -> None:
            for path in files:
                path.read_bytes()

        def cold() -> None:
            clear()
            discover(root, use_cache=False)

        read_all()
        project = discover(root)  # warm-up, and a check that the bench measures real work
        assert len(project.routes) == args.routes, len(project.routes)
        if args.lock:
            assert project.runtime is not None and project.runtime.version == "4.41.6"
        kinds = {str(r.kind) for r in project.routes}
        assert kinds == {"api", "background", "scheduled"}, kinds

        baseline = min(timed(read_all) for _ in range(args.repeat))
        cold_ratios = paired(args.repeat, read_all, cold)
        warm_ratios = paired(args.repeat, read_all, lambda: discover(root))
    print(f"route files            {args.routes}" + (f", lock of {args.lock}" if args.lock else ""))
    print(f"read files (baseline)  {baseline * 1000:6.1f} ms (best of {args.repeat})")
    print(f"discover, cold         ratio {_spread(cold_ratios)}")
    print(f"discover, warm cache   ratio {_spread(warm_ratios)}")
    return 0


def _spread(ratios: list[float]) -> str:
    return (
        f"{statistics.median(ratios):5.2f}x median "
        f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x, {len(ratios)} pairs)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
