"""Allows `python -m console`."""

from console.cli import entry

# Guarded: `console open` discovers routes in a spawned process, which imports this module
# again as `__mp_main__`; it must not start a second console there.
if __name__ == "__main__":
    entry()
