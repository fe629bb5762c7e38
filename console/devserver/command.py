"""What to run as the project's dev server, where it will answer, and what it needs first."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from console.errors import DevServerError
from console.model import Project
from console.settings import Settings

__all__ = ["INSTALL_COMMANDS", "DevCommand", "dev_url", "missing_packages", "resolve_dev_command"]

INSTALL_COMMANDS: Mapping[str, str] = {
    "npm": "npm install",
    "pnpm": "pnpm install",
    "yarn": "yarn install",
    "bun": "bun install",
}

# Quiet, plain output: no colours or spinners to strip, no telemetry notice, no browser tab.
CHILD_ENV: Mapping[str, str] = {
    "NEXT_TELEMETRY_DISABLED": "1",
    "FORCE_COLOR": "0",
    "NO_COLOR": "1",
    "BROWSER": "none",
}


@dataclass(frozen=True)
class DevCommand:
    """A resolved dev command: argv to run in the project folder, the URL to wait for."""

    argv: tuple[str, ...]
    display: str  # as a user would type it
    url: str
    host: str
    port: int
    env: Mapping[str, str] = field(default_factory=dict)  # added to the console's environment


def dev_url(settings: Settings) -> str:
    """`[dev] url`, else the local target's URL."""
    return settings.dev.url or settings.local.url


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if host in ("0.0.0.0", "::"):
        host = "localhost"  # a bind-all address: connect through loopback
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return host, port


def resolve_dev_command(project: Project, settings: Settings) -> DevCommand:
    """`[dev] command` (through `sh -c`), else the package.json `dev` script via the package manager.

    The port comes from the URL and is handed over as `PORT`, which `next dev` (and most dev
    servers) honour, so the URL in console.toml is the one source of truth.
    """
    url = dev_url(settings)
    host, port = host_port(url)
    env = {**CHILD_ENV, "PORT": str(port)}
    if settings.dev.command:
        command = settings.dev.command
        return DevCommand(("/bin/sh", "-c", command), command, url, host, port, env)
    if not project.dev_script:
        raise DevServerError(
            f"there is no dev command: {project.root / 'package.json'} has no `dev` script "
            "and console.toml has no [dev] command"
        )
    manager = project.package_manager or "npm"
    if shutil.which(manager) is None:
        raise DevServerError(
            f"`{manager}` (the package manager of {project.root}) is not on PATH; install it "
            "or set [dev] command in console.toml"
        )
    argv = (manager, "run", "dev")
    return DevCommand(argv, " ".join(argv), url, host, port, env)


def missing_packages(project: Project) -> str | None:
    """One sentence when the project's packages are not installed, else None."""
    root = project.root
    if not (root / "package.json").is_file() or (root / "node_modules").is_dir():
        return None
    install = INSTALL_COMMANDS.get(project.package_manager, "npm install")
    return f"node_modules is missing in {_shown(root)}: run `{install}` there first"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
