"""The dialog that stands between a key and a request to production: the confirm.
(The request itself is asked for in request_dialog.py.)"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.ui.text import clean_line


class ConfirmDialog(ModalScreen[bool]):
    """Send a request to production? `y` sends; `n`, escape and the default button do not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "send", "send", show=True),
        Binding("n,escape", "dont", "don't send", show=True),
    ]

    def __init__(self, route: str, method: str, url: str, target: str) -> None:
        super().__init__(classes="dialog -danger")
        self.route = route
        self.method = method
        self.url = url
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Send to PRODUCTION?", style="bold"), id="dialog-title")
            body = Text()
            body.append("route   ", style="dim")
            body.append(clean_line(self.route), style="bold")
            body.append("\ntarget  ", style="dim")
            body.append(clean_line(self.target), style="bold")
            body.append("\nrequest ", style="dim")
            body.append(f"{self.method} {clean_line(self.url)}", style="bold underline")
            body.append("\n\nThis sends a real request to your production site.", style="italic")
            yield Static(body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button("Send  y", variant="error", id="send")
                yield Button("Don't send  n", variant="primary", id="dont")

    def on_mount(self) -> None:
        # The safe choice has the focus: a stray enter does not send.
        self.query_one("#dont", Button).focus()

    def action_send(self) -> None:
        self.dismiss(True)

    def action_dont(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "send")
