"""Discovery of routes and functions, config-export parsing, diagnostics. No network I/O."""

from console.project.discover import discover
from console.project.naming import function_name

__all__ = ["discover", "function_name"]
