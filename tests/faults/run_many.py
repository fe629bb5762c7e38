"""Run several console commands in one process, each with a time limit; print a JSON report.

`python -m tests.faults.run_many TIMEOUT 'JSON list of argv lists'` prints
`{"results": [{"argv", "code", "stdout", "stderr"}], "peak_kb": N}`. A command that does not
finish in TIMEOUT seconds reports code "hang"; one that raises, "traceback". Memory is capped
(RLIMIT_AS) so that a command reading without end fails here instead of starving the machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
import traceback
from types import FrameType

from tests.faults.measured import peak_kb

MEMORY_CAP = 2 * 1024**3


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang()


def main(timeout: int, commands: list[list[str]]) -> None:
    from console.cli import main as console_main

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    signal.signal(signal.SIGALRM, _alarm)
    results = []
    for argv in commands:
        out, err = io.StringIO(), io.StringIO()
        code: object
        signal.alarm(timeout)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = console_main(argv)
        except Hang:
            code = "hang"
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            code = "traceback"
            err.write(traceback.format_exc())
        finally:
            signal.alarm(0)
        results.append(
            {"argv": argv, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
        )
    print(json.dumps({"results": results, "peak_kb": peak_kb()}))


if __name__ == "__main__":
    main(int(sys.argv[1]), json.loads(sys.argv[2]))
