"""A project with Netlify functions and a stand-in Netlify CLI in its node_modules/.bin."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from console.model import Project, Route, RouteKind, RouteSource, Target, TargetKind
from console.settings import DevSettings, FunctionsSettings, Limits, Settings

FAKE_CLI = Path(__file__).with_name("fake_netlify.py")


def function(name: str, kind: RouteKind, schedule: str | None = None) -> Route:
    return Route(
        f"/.netlify/functions/{name}",
        kind,
        schedule,
        f"netlify/functions/{name}.mjs",
        1,
        name,
        RouteSource.FUNCTION,
    )


UPLOAD = function("upload-background", RouteKind.BACKGROUND)
TICK = function("tick", RouteKind.SCHEDULED, "@daily")
EXPLODE = function("explode", RouteKind.API)
SLOW = function("slow", RouteKind.API)
FUNCTIONS = (UPLOAD, TICK, EXPLODE, SLOW)


def install_fake_cli(root: Path) -> Path:
    """`node_modules/.bin/netlify` that runs the stand-in, as npm would link the real one."""
    bin_dir = root / "node_modules" / ".bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    cli = bin_dir / "netlify"
    cli.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -u {shlex.quote(str(FAKE_CLI))} "$@"\n'
    )
    os.chmod(cli, 0o755)
    return cli


def functions_project(
    root: Path, routes: tuple[Route, ...] = FUNCTIONS, dev_script: str | None = None
) -> Project:
    return Project(root, routes, (), dev_script=dev_script)


def functions_settings(
    dev_url: str,
    *,
    dev_command: str | None = None,
    command: str | None = None,
    url: str | None = None,
    limits: Limits | None = None,
) -> Settings:
    return Settings(
        targets=(Target("local", TargetKind.LOCAL, dev_url),),
        dev=DevSettings(command=dev_command, url=dev_url, start_timeout=30),
        limits=limits or Limits(api=3, background=30, scheduled=5, retry_delays=()),
        functions=FunctionsSettings(command=command, url=url),
    )
