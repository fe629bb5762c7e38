"""The `console` command: argparse front door; each subcommand lives in console/commands/."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from typing import NoReturn

from console import __version__
from console.errors import ConsoleError

log = logging.getLogger(__name__)

EPILOG = (
    "Exit codes: 0 ok, 1 the thing checked or run failed, 2 usage error, refused, or not a project."
)
RESET_HELP = (
    "move a damaged run history (.console/history.sqlite3) aside under a timestamped name and "
    "start a new one; nothing is deleted"
)
FROM_HELP = (
    "start instant, ISO 8601 with Z or an offset (naive means UTC), from "
    "0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z (default: now)"
)


class ArgumentsError(Exception):
    """A command line argparse cannot read, with the parser (the subcommand's) that says so."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class CommandParser(argparse.ArgumentParser):
    """argparse's parser, but a usage error is raised, not printed and exited on here: `main`
    says it as the subcommand's (`console check: error: ...`), as JSON too under `--json`."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentsError(self, message)


def _project(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    if required:
        p.add_argument("project", metavar="PROJECT", help="the project folder")
    else:
        p.add_argument(
            "project",
            metavar="PROJECT",
            nargs="?",
            default=".",
            help="the project folder (default: .)",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="console",
        description=(
            "A terminal operations console for Next.js sites with Netlify background and "
            "scheduled API routes and functions."
        ),
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"console {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # `--debug` also after the command; SUPPRESS keeps a subcommand from resetting it to False.
    common = CommandParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors"
    )

    p = sub.add_parser(
        "open", parents=[common], help="open the console screen on a project", epilog=EPILOG
    )
    _project(p)
    p.add_argument("--target", metavar="NAME", help="start on this target (default: local)")
    p.add_argument(
        "--no-dev", action="store_true", help="do not start the dev server when nothing answers"
    )
    p.add_argument("--reset-history", action="store_true", help=RESET_HELP)

    p = sub.add_parser(
        "routes",
        parents=[common],
        help="list every route with its kind and schedule",
        epilog=EPILOG,
    )
    _project(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "check",
        parents=[common],
        help="report what the platform would ignore or reject",
        epilog=EPILOG,
    )
    _project(p)
    p.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text (file:line:col: severity: message [code]), json, or GitHub annotations",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument(
        "--verbose", "-v", action="store_true", help="also list every file that was read"
    )

    p = sub.add_parser(
        "next", parents=[common], help="the next fires of scheduled routes", epilog=EPILOG
    )
    _project(p)
    p.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="ROUTE",
        help="only this route (repeat for more)",
    )
    p.add_argument(
        "-n", type=int, default=5, metavar="N", help="fires per route, 1 to 10,000 (default 5)"
    )
    p.add_argument("--from", dest="from_", metavar="ISO", help=FROM_HELP)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "timeline", parents=[common], help="fires per time slice for every schedule", epilog=EPILOG
    )
    _project(p)
    p.add_argument("--from", dest="from_", metavar="ISO", help=FROM_HELP)
    p.add_argument(
        "--hours",
        type=float,
        default=24.0,
        metavar="H",
        help="window in hours, more than 0 and at most 87,600 (default 24)",
    )
    p.add_argument(
        "--buckets", type=int, default=24, metavar="B", help="slices, 1 to 10,000 (default 24)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "trigger", parents=[common], help="run a route once, as the platform would", epilog=EPILOG
    )
    _project(p, required=True)
    p.add_argument("route", metavar="ROUTE", help="the route path, e.g. /api/hello-background")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--target", metavar="NAME", help="a target from console.toml (default local)"
    )
    where.add_argument("--url", metavar="URL", help="send to this base URL instead")
    p.add_argument("--method", metavar="M", help="HTTP method (default by kind)")
    p.add_argument("--data", metavar="JSON|@FILE", help="request body: JSON text or @file")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a dynamic segment: --param id=42 for [id]; catch-all values may hold /",
    )
    p.add_argument(
        "--query", action="append", default=[], metavar="NAME=VALUE", help="a query parameter"
    )
    p.add_argument("--yes", action="store_true", help="confirm a request to production")
    p.add_argument(
        "--force", action="store_true", help="send a scheduled route to a deployed target"
    )
    p.add_argument("--no-retries", action="store_true", help="do not retry a failed background run")
    p.add_argument("--no-dev", action="store_true", help="do not start the dev server")
    p.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    p.add_argument("--json", action="store_true", help="print the final run as JSON")

    p = sub.add_parser(
        "migrate",
        parents=[common],
        help="move background and scheduled Next API routes to Netlify functions",
        epilog=EPILOG,
    )
    _project(p)
    p.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="ROUTE",
        help="only this route (repeat for more; default: every background and scheduled route)",
    )
    p.add_argument(
        "--write",
        action="store_true",
        help="make the change (all files or none); without it, print the diff",
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("history", parents=[common], help="past runs, newest first", epilog=EPILOG)
    _project(p)
    p.add_argument(
        "-n", type=int, default=20, metavar="N", help="how many runs, 0 to 1,000,000 (default 20)"
    )
    p.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="ROUTE",
        help="only runs of this route, as listed by `routes` (repeat for more)",
    )
    p.add_argument(
        "--state",
        action="append",
        default=[],
        metavar="STATE",
        help="only runs in this state: succeeded, failed, timed-out, ... (repeat for more)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--reset-history", action="store_true", help=RESET_HELP)

    p = sub.add_parser(
        "target",
        parents=[common],
        help="add, remove or list targets in console.toml",
        epilog=EPILOG,
    )
    tsub = p.add_subparsers(dest="target_command", metavar="ACTION", required=True)
    t = tsub.add_parser("add", parents=[common], help="add or replace a target")
    _project(t)
    t.add_argument("name", metavar="NAME")
    t.add_argument("url", metavar="URL")
    t.add_argument("--kind", choices=["local", "preview", "production"], required=True)
    t.add_argument("--header", action="append", default=[], metavar="K=V")
    t.add_argument(
        "--follow-redirects",
        action="store_true",
        help="follow redirects to other origins (never to production); sets follow_redirects",
    )
    t = tsub.add_parser("remove", parents=[common], help="remove a target")
    _project(t)
    t.add_argument("name", metavar="NAME")
    t = tsub.add_parser("list", parents=[common], help="list targets")
    _project(t)
    t.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _fix_target_positionals(argv: list[str]) -> list[str]:
    # `console target add NAME URL` without a project: argparse would take NAME as the project.
    if len(argv) >= 2 and argv[0] == "target":
        rest = [a for a in argv[2:] if not a.startswith("-")]
        need = {"add": 2, "remove": 1, "list": 0}.get(argv[1])
        if need is not None and len(rest) == need:
            return [argv[0], argv[1], ".", *argv[2:]]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _fix_target_positionals(list(sys.argv[1:] if argv is None else argv))
    as_json = wants_json(args_list)
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(args_list)
        if extra:
            # Unknown options reach the top-level parser: say them as the subcommand's.
            command_parser(parser, args).error(f"unrecognized arguments: {' '.join(extra)}")
    except ArgumentsError as exc:
        return _usage_error(exc, as_json)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(f"console.commands.{args.command}")
    try:
        code: int = module.run(args)
    except ConsoleError as exc:
        if args.debug:
            import traceback

            traceback.print_exc()
        from console.commands._common import print_text

        if as_json:
            print_error_json(str(exc), error_code(exc))
        print_text(f"console: {exc}", file=sys.stderr)
        return exc.exit_code
    except PermissionError as exc:
        # A file or folder closed to this user that no command expected: still one sentence.
        if args.debug:
            raise
        from console.commands._common import print_text

        where = f": {exc.filename}" if exc.filename else ""
        print_text(f"console: permission denied{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `console routes | head`: the reader went away; say nothing more.
        _silence_stdout()
        return 0
    return code


def entry() -> NoReturn:
    """The `console` command and `python -m console`."""
    code = main()
    leave_no_thread_behind(code)
    sys.exit(code)


def leave_no_thread_behind(code: int, join_s: float = 2.0) -> None:
    """The command is done and has closed what it opened: end the process even if a thread
    would hold it past that. Only at the process's edge (`entry`), never for `main` called
    in-process (tests do), where other threads are someone else's.

    When the terminal hangs up while the screen closes, Textual's input thread can miss its
    stop (its driver swallows the error) and then spins on end-of-file for ever; the
    interpreter waits for it at exit, and the console lives on, orphaned, using a core. By now
    the history is closed and the dev server stopped, so nothing is lost by not waiting.
    """
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    end = time.monotonic() + join_s
    for thread in others:
        thread.join(max(0.0, end - time.monotonic()))
    stuck = [t.name for t in others if t.is_alive()]
    if stuck:
        log.warning("leaving threads that did not stop: %s", ", ".join(stuck))
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def wants_json(argv: Sequence[str]) -> bool:
    """Did the command line ask for JSON (`--json`, `--format json`)? Then errors are JSON too."""
    for i, arg in enumerate(argv):
        if arg == "--json" or arg == "--format=json":
            return True
        if arg == "--format" and i + 1 < len(argv) and argv[i + 1] == "json":
            return True
    return False


def error_code(exc: ConsoleError) -> str:
    """The error's kind for scripts: `UsageError` -> `usage`, `NotAProjectError` ->
    `not-a-project`, `DevServerError` -> `dev-server`."""
    name = type(exc).__name__.removesuffix("Error") or "console"
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def print_error_json(message: str, code: str) -> None:
    """`{"error": {"message": ..., "code": ...}}` on stdout, where `--json` output goes."""
    from console.commands._common import print_json

    print_json({"error": {"message": message, "code": code}})


def command_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the (sub)subcommand the command line chose: `target add`'s, `check`'s."""
    found = parser
    for dest in ("command", "target_command"):
        name = getattr(args, dest, None)
        subs = next((a for a in found._actions if isinstance(a, argparse._SubParsersAction)), None)
        if name is None or subs is None or name not in subs.choices:
            break
        found = subs.choices[name]
    return found


def _usage_error(exc: ArgumentsError, as_json: bool) -> int:
    if as_json:
        print_error_json(f"{exc.parser.prog}: {exc.message}", "usage")
    exc.parser.print_usage(sys.stderr)
    print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
    return 2


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
