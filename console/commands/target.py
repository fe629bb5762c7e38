"""`console target add|remove|list`: the targets in console.toml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.commands._common import print_json, print_text
from console.errors import NotAProjectError, UsageError
from console.model import Target, TargetKind
from console.settings import (
    add_target,
    check_url,
    has_reference,
    load_settings,
    redact,
    remove_target,
    settings_path,
)
from console.sites import has_userinfo, public_url


def run(args: argparse.Namespace) -> int:
    root = Path(args.project)
    if not root.is_dir():
        raise NotAProjectError(f"{root} is not a folder")
    action = args.target_command
    if action in ("add", "remove") and not _looks_like_a_project(root):
        # `console target add NAME URL` from the wrong folder would leave a stray console.toml.
        raise NotAProjectError(
            f"{root.resolve()} has no package.json, netlify.toml or console.toml: give the project "
            f"folder first, e.g. `console target {action} ./site {args.name} ...`"
        )
    if action == "add":
        headers = tuple(_header(h) for h in args.header)
        target = Target(
            args.name, TargetKind(args.kind), check_url(args.url), headers, args.follow_redirects
        )
        add_target(root, target)
        shown = public_url(target.url)
        print(f"target {target.name} ({target.kind}) -> {shown} saved in {settings_path(root)}")
        if has_userinfo(target.url):
            print(
                "console: note: the credentials in the URL are stored in console.toml as written "
                "and shown as ***; to keep them out of the file use a header with ${VAR}",
                file=sys.stderr,
            )
        for name, value in headers:
            if not has_reference(value) and redact(name, value) != value:
                print(
                    f"console: note: header {name} is stored as written; to keep the secret out "
                    f"of console.toml write it as ${{VAR}} and set VAR in the environment",
                    file=sys.stderr,
                )
        return 0
    if action == "remove":
        remove_target(root, args.name)
        print(f"target {args.name} removed from {settings_path(root)}")
        return 0
    settings = load_settings(root)
    configured = set(_configured_names(root))
    rows = [_describe(t, t.name in configured) for t in settings.targets]
    if args.json:
        print_json({"targets": rows})
        return 0
    width = max(len(t.name) for t in settings.targets)
    for row in rows:
        shown = ", ".join(f"{k}: {v}" for k, v in row["headers"].items())
        extra = "" if row["configured"] else "  (default)"
        line = f"{row['name']:<{width}}  {row['kind']:<10}  {row['url']}{extra}"
        print_text(line + (f"  [{shown}]" if shown else ""))
    return 0


def _configured_names(root: Path) -> list[str]:
    import tomllib

    try:
        raw = tomllib.loads(settings_path(root).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    targets = raw.get("targets", {})
    return list(targets) if isinstance(targets, dict) else []


def _describe(t: Target, configured: bool) -> dict[str, Any]:
    return {
        "name": t.name,
        "kind": str(t.kind),
        "url": public_url(t.url),
        "headers": {k: redact(k, v) for k, v in t.headers},
        "follow_redirects": t.follow_redirects,
        "configured": configured,
    }


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--header {text!r} must look like NAME=VALUE")
    return name.strip(), value.strip()


def _looks_like_a_project(root: Path) -> bool:
    return any((root / name).is_file() for name in ("package.json", "netlify.toml", "console.toml"))
