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
import os
import resource
import signal
import sys
import traceback
from types import FrameType
from typing import Any

from tests.faults.measured import peak_kb

MEMORY_CAP = 2 * 1024**3


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang()


def deny(paths: list[str]) -> None:
    """Make opening these paths fail with EACCES, as chmod 000 does for anyone but root.

    Only for a root test run (root reads everything, and an unprivileged user may not reach
    this interpreter): the console opens project files with os.open and lists folders with
    os.scandir, which is what is wrapped here.
    """
    import errno
    import os

    denied = {os.path.realpath(p) for p in paths}
    real_open, real_scandir = os.open, os.scandir

    def check(path: object) -> None:
        if isinstance(path, str | os.PathLike) and os.path.realpath(path) in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def open_(path: Any, *args: Any, **kwargs: Any) -> int:
        check(path)
        return real_open(path, *args, **kwargs)

    def scandir(path: Any = ".") -> Any:
        check(path)
        return real_scandir(path)

    os.open = open_  # type: ignore[assignment]
    os.scandir = scandir  # type: ignore[assignment]


def main(timeout: int, commands: list[list[str]]) -> None:
    from console.cli import main as console_main

    if os.environ.get("CONSOLE_FAULTS_DENY"):
        deny(json.loads(os.environ["CONSOLE_FAULTS_DENY"]))

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
