"""The terminal we leave behind.

A terminal that was resized while the console was open (tmux 3.3 does this; other terminals
that reflow the alternate screen too) copies the alternate screen's lines into the main one, so
after `q` the last frame stayed above the shell prompt. Clearing the alternate screen just
before leaving it leaves nothing to copy; a terminal that does not reflow loses nothing.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.driver import Driver

CLEAR_SCREEN = "\x1b[H\x1b[2J"


def clearing(base: type[Driver]) -> type[Driver]:
    """`base`, clearing its screen before it stops application mode."""

    class Clearing(base):  # type: ignore[valid-type, misc]
        def stop_application_mode(self) -> None:
            self.write(CLEAR_SCREEN)
            super().stop_application_mode()

    Clearing.__name__ = Clearing.__qualname__ = f"Clearing{base.__name__}"
    return Clearing


def leaves_a_clear_screen(app: App[Any]) -> None:
    """Give `app` the clearing form of the driver Textual chose for this terminal (a headless
    run, as under Pilot, picks its own driver and is not touched)."""
    app.driver_class = clearing(app.driver_class)
