"""Quit with runs in flight? Asked once, as k9s and lazygit ask before a destructive action."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


def quit_question(active: int) -> str:
    runs = "1 run is active" if active == 1 else f"{active} runs active"
    return f"{runs}: quit and cancel {'it' if active == 1 else 'them'}?"


class QuitDialog(ModalScreen[bool]):
    """`y` (or `q` again) quits and cancels the runs; `n` and escape stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,q", "quit_now", "quit", show=True),
        Binding("n,escape", "stay", "stay", show=True),
    ]

    def __init__(self, active: int) -> None:
        super().__init__(classes="dialog")
        self.active = active

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(quit_question(self.active), style="bold"), id="dialog-title")
            body = Text(
                "They are recorded as cancelled; a handler already running in the dev server "
                "may still finish there.",
                style="italic",
            )
            yield Static(body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button("Quit  y", variant="error", id="quit")
                yield Button("Stay  n", variant="primary", id="stay")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()  # a stray enter does not quit

    def action_quit_now(self) -> None:
        self.dismiss(True)

    def action_stay(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
