"""Running the console as a user that file permissions stop (root reads and writes anything).

Under root the tests run the console through `setpriv` as uid 65534, in a folder that user can
reach: pytest's own temporary folder (/tmp/pytest-of-root, mode 0700) is not one, so the
folder is chosen by asking that user, not by assuming where pytest puts its files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SETPRIV = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def unprivileged() -> list[str] | None:
    """How to run as someone chmod stops: nothing to add, setpriv, or None (root only)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    probe = subprocess.run(
        [*SETPRIV, sys.executable, "-c", "import console.cli, tree_sitter, httpx"],
        cwd=REPO, capture_output=True,
    )  # fmt: skip
    return SETPRIV if probe.returncode == 0 else None


def _usable_by(prefix: list[str], folder: Path) -> bool:
    check = "import os, sys; sys.exit(0 if os.access(sys.argv[1], os.W_OK | os.X_OK) else 1)"
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", check, str(folder)], cwd=REPO, capture_output=True
    )
    return probe.returncode == 0


@contextmanager
def reachable_folder(prefix: list[str] | None) -> Iterator[Path | None]:
    """A fresh folder the user of `prefix` can enter and write, removed afterwards; None when
    no candidate is reachable (then permissions can only be imitated)."""
    if prefix is None:
        yield None
        return
    candidates = [tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"]
    for base in dict.fromkeys(candidates):
        if not os.path.isdir(base):
            continue
        try:
            folder = Path(tempfile.mkdtemp(prefix="console-faults-", dir=base))
        except OSError:
            continue
        folder.chmod(0o777)
        if _usable_by(prefix, folder):
            try:
                yield folder
            finally:
                for path in [folder, *folder.rglob("*")]:
                    if path.is_dir() and not path.is_symlink():
                        path.chmod(0o777)
                shutil.rmtree(folder, ignore_errors=True)
            return
        shutil.rmtree(folder, ignore_errors=True)
    yield None
