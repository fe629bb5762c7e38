"""Only console/ui imports textual: import every headless module in a fresh interpreter and look."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import console

ROOT = Path(console.__file__).parent


def _headless_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(ROOT)], prefix="console."):
        if info.name.startswith("console.ui") or info.name == "console.__main__":
            continue
        if info.name == "console.commands.open":  # the one command that opens the screen
            continue
        names.append(info.name)
    return names


def test_there_are_headless_modules_to_check() -> None:
    names = _headless_modules()
    assert "console.model" in names
    assert "console.cli" in names


def test_headless_modules_do_not_import_textual_or_rich() -> None:
    names = _headless_modules()
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}:\n"
        "    importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT.parent, check=True
    )
    assert out.stdout.strip() == "", f"textual/rich imported by a headless module: {out.stdout}"
