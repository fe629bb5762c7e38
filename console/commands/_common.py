"""Helpers shared by the subcommands: loading the project, printing JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from console.model import Project


def load_project(path: str) -> Project:
    """Discover the project at `path`; raises NotAProjectError with one sentence."""
    from console.project import discover

    return discover(Path(path))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
