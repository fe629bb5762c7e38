"""The guard between the console and a dev server: it dies-with the console and takes the server along.

Run as a script (`python -I process_guard.py CMD...`), never imported by the console at run time:
it uses only the standard library so it starts fast and does not depend on the console's
environment. The console starts it in a new session (its own process group) with:

- stdin: the *lifeline*, a pipe whose write end only the console holds. When the console
  exits in any way (`q`, Ctrl+C, an exception, SIGTERM, even SIGKILL) the kernel closes that
  end and the guard reads end-of-file.
- stdout/stderr: the pipes the console reads; the dev command inherits them.

The guard starts CMD as its child in a process group of its own (which the guard is not in, so
it can SIGKILL the group and live on) and becomes a child subreaper (Linux), so a descendant
that is orphaned (node under npm under sh) is re-parented to the guard, not to init, and can be
found and reaped. On end-of-file of the lifeline, on SIGTERM/SIGINT/SIGHUP, or when CMD exits,
it ends the group and anything left below it: SIGTERM, then SIGKILL after the grace period;
then it exits with CMD's exit status (128 + the signal number if CMD was killed by one).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import time
from types import FrameType

GRACE_S = float(os.environ.get("CONSOLE_GUARD_GRACE_S", "5"))
PR_SET_CHILD_SUBREAPER = 36
EXIT_EXEC_FAILED = 127
POLL_S = 0.05


def _prctl(option: int, value: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _status_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _children_of(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc): where descendants that left the group end up."""
    found: list[int] = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and fields[0] != b"Z" and int(fields[1]) == pid:
            found.append(int(name))
    return found


class Guard:
    """Starts CMD in a process group of its own, watches the lifeline and CMD, ends the group once.

    Lean on purpose (no threads, no subprocess module): it starts with every dev server.
    """

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.stop = False
        self.child_pid = 0
        self.child_status: int | None = None

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop = True

    def run(self) -> int:
        # Handlers, not SIG_IGN: an ignored signal would be inherited by the dev command.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        try:
            # A group of its own (pgid = its pid) that the guard is not in, so that the
            # guard can SIGKILL the group and live on to reap it and report the status.
            self.child_pid = os.posix_spawnp(
                self.argv[0],
                self.argv,
                os.environ,
                file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)],
                setpgroup=0,
            )
        except OSError as exc:
            print(f"cannot run {self.argv[0]!r}: {exc.strerror}", file=sys.stderr, flush=True)
            return EXIT_EXEC_FAILED
        lifeline: list[int] = [0]
        while not self.stop:
            try:
                readable, _, _ = select.select(lifeline, [], [], POLL_S)
            except OSError:
                readable = lifeline
            # Readable with nothing to read: the console closed its end, or died.
            if readable and not _read_some(0):
                break
            self.reap()
            if self.child_status is not None:
                break
        self.end_group()
        if self.child_status is None:
            return 128 + signal.SIGTERM
        return _status_code(self.child_status)

    def end_group(self) -> None:
        for sig, grace in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S)):
            if not self.others_alive():
                return
            signalled: set[int] = set()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.child_pid, sig)
            self.kill_children(sig, signalled)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and self.others_alive():
                time.sleep(POLL_S)
                # A process outside the group (a daemon in its own session) comes to us only
                # once its parent died of this very signal: it gets the signal too, not a
                # SIGKILL a grace period later.
                self.kill_children(sig, signalled)

    def kill_children(self, sig: int, signalled: set[int]) -> None:
        """Send `sig` to our direct children (orphans included) not signalled yet."""
        for pid in _children_of(os.getpid()):
            if pid in signalled:
                continue
            signalled.add(pid)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def reap(self) -> None:
        """Collect every exited child (orphans come to us as the subreaper); note CMD's status."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.child_pid:
                self.child_status = status

    def others_alive(self) -> bool:
        """Is any process of the dev command left, in its group or below the guard?"""
        self.reap()
        return _group_alive(self.child_pid) or bool(_children_of(os.getpid()))


def _read_some(fd: int) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:
        return b""


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: process_guard.py CMD [ARG...]", file=sys.stderr)
        return 2
    return Guard(argv).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
