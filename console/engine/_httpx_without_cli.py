"""Import httpx without its command-line client, which would drag rich (and click) into us.

httpx's `__init__` tries `from ._main import main` and falls back to a stub on ImportError.
A `None` in `sys.modules` makes that import fail, so headless code stays free of rich, as the
layering rule wants, and `console trigger` starts ~30 ms faster. Only httpx's own CLI is lost.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
