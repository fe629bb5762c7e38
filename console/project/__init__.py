"""Discovery of routes and functions, config-export parsing, diagnostics. No network I/O."""
