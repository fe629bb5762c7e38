"""Discovery of routes and functions, config-export parsing, diagnostics. No network I/O."""

from console.project.discover import discover, first_look
from console.project.naming import function_name

__all__ = ["discover", "first_look", "function_name"]
