"""Benchmark: `discover()` on a generated 2,000-route project, as a ratio to reading its files.

Run: `python bench/discovery.py [--routes N] [--repeat R]`. The baseline is reading every
route file's bytes from disk in the same process (after a warm-up, so both runs see a warm page
cache), timed back to back with each run so both see the same load. Reported: the cold ratio (no per-file cache, every file read and, where it mentions
`config`, parsed) and the warm ratio (the cache the UI's reload uses). Aim: cold under 5x.
"""

from __future__ import annotations

import argparse
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


def generate(root: Path, routes: int, seed: int = 7) -> list[Path]:
    """A Next.js project with `routes` API route files; one in five has a `config` export."""
    rng = random.Random(seed)
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = generate(root, args.routes)

        def read_all() -> None:
            for path in files:
                path.read_bytes()

        def cold() -> None:
            clear()
            discover(root, use_cache=False)

        read_all()
        project = discover(root)  # warm-up, and a check that the bench measures real work
        assert len(project.routes) == args.routes, len(project.routes)
        kinds = {str(r.kind) for r in project.routes}
        assert kinds == {"api", "background", "scheduled"}, kinds

        baseline = min(timed(read_all) for _ in range(args.repeat))
        cold_ratios = paired(args.repeat, read_all, cold)
        warm_ratios = paired(args.repeat, read_all, lambda: discover(root))
    print(f"route files            {args.routes}")
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
