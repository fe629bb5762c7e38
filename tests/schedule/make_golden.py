"""Rebuild data/cp49_golden.json by asking the real cron-parser 4.9.0 (see cp49_oracle.js)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.schedule.cronforms import corpus  # noqa: E402

STARTS = [
    "2024-02-27T23:59:30Z",  # a leap February's end
    "2023-02-27T12:00:00Z",  # a common February's end
    "2024-12-31T23:59:59.500Z",  # a year's last half second
    "2025-06-29T22:00:00Z",  # a 30-day month's end
    "2100-02-27T00:00:00Z",  # a century year that is not a leap year
]
# Hand-picked edge cases; the random corpus adds breadth.
CURATED = [
    "* * * * *", "*/15 * * * *", "5/15 * * * *", "1-10/3 * * * *", "0 */5 * * *",
    "0 0 L * *", "0 0 1,L * *", "0 0 L 2 *", "0 0 15,L * 5", "0 0 * * 5L", "0 0 * * FRIL",
    "0 0 * * 1L,5L", "0 0 * * 7L", "0 0 * * 1#2", "0 0 * * MON#1", "0 0 * * 0#5", "0 0 * * 7#1",
    "0 0 1 * 1#2", "0 0 ? * MON-FRI", "0 0 1 * ?", "0 0 * * 7", "0 0 * * 0,7", "0 0 * * 5-7",
    "0 0 * * 1-7", "0 0 15 * 1-7", "0 0 15 * 0-6", "0 0 15 * *", "0 0 15 * 1",
    "0 0 1-30 * 1", "0 0 1-28 2 1", "0 0 * 2 1", "0 0 * * 2/2", "0 0 * * */2", "0 0 * * 1/2",
    "0 0 * jan,Jul MON", "0 0 1 JAN-MAR *", "0 0 29 2 *", "0 0 28,29 2 *", "0 0 30 2 *",
    "0 0 31 2 *", "0 0 31 2 1", "0 0 1,31 2 *", "0 0 31 4,6 *", "0 0 31 * *", "0 0 31 */2 *",
    "30 0 0 * * *", "*/30 * * * * *", "0 */10 * * * *", "0 0 12 * * 2025", "0 0 0 1 1 *",
    "5 * * *", "0 * *", "* *", "5", "", "@yearly", "@monthly", "@weekly", "@daily", "@hourly",
    "@annually", "@midnight", "@reboot", " @daily", "@DAILY", "* * * * * * *", "0 0 * * * 30",
    "15W * * * *", "0 0 15W * *", "0 0 LW * *", "H * * * *", "TZ=UTC 0 0 * * *",
    "0 0 * * L5", "0 0 * * L", "0 0 5L * *", "0 0 L-2 * *", "0 0 * * 1#6", "0 0 * * 1#0",
    "0 0 * * 1-2#2", "0 0 * * 5L#2", "0 0 * * *#2", "0 22-2 * * *", "*/0 * * * *", "60 * * * *",
    "0 24 * * *", "0 0 0 * *", "0 0 32 * *", "0 0 * 13 *", "0 0 * * 8", "0 0 * * MONDAY",
    "0 0 * JANUARY *", "1,,2 * * * *", "5- * * * *", "0- * * * *", "1-2-3 * * * *", "1/2/3 * * * *",
    "*/90 * * * *", "0 0 L/2 * *", "0 0 ?/2 * *", "0 0 *,5 * *", "5-5 * * * *", "0 0 * 2,2 *",
    "0 0 31 2,2 *", "0 0 * 2 MON#5", "0 0 1 1 1#5", "0\t0\t*\t*\t*", "  0 0 * * *  ",
]  # fmt: skip


def main() -> None:
    items = [{"expr": e, "from": STARTS, "n": 6} for e in CURATED]
    items += [
        {"expr": e, "from": STARTS[i % 5 : i % 5 + 2] or STARTS[:2], "n": 6}
        for i, e in enumerate(corpus(seed=49, n=600))
    ]
    env = dict(os.environ)
    env.setdefault("NODE_PATH", "/tmp/cp49/node_modules")
    out = subprocess.run(
        ["node", str(HERE / "cp49_oracle.js")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    data = json.loads(out.stdout)
    (HERE / "data").mkdir(exist_ok=True)
    target = HERE / "data" / "cp49_golden.json"
    target.write_text(json.dumps(data, indent=0, separators=(",", ":")) + "\n")
    print(f"{len(data)} expressions -> {target}")


if __name__ == "__main__":
    main()
