"""Run the console's CLI in this process, then print its peak memory: `MEASURED peak_kb=N`.

`python -m tests.faults.measured ARGS...` is `python -m console ARGS...` plus one last line on
stderr, read from /proc/self/status (VmHWM: the most resident memory the process ever had).
"""

from __future__ import annotations

import sys


def peak_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def parse_peak(stderr: str) -> int:
    for line in reversed(stderr.splitlines()):
        if line.startswith("MEASURED peak_kb="):
            return int(line.split("=", 1)[1])
    raise AssertionError(f"no MEASURED line in: {stderr[-2000:]}")


if __name__ == "__main__":
    from console.cli import main

    code = main(sys.argv[1:])
    print(f"MEASURED peak_kb={peak_kb()}", file=sys.stderr, flush=True)
    sys.exit(code)
