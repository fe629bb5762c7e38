"""The two dialogs that stand between a key and a request: production confirm, route parameters."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from console.model import Param
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


def _param_hint(param: Param) -> str:
    if param.catch_all:
        hint = "one or more segments, e.g. a/b/c"
        return hint + " (optional)" if param.optional else hint
    return "one segment"


class ParamsDialog(ModalScreen[dict[str, str] | None]):
    """Ask for a route's dynamic segments; escape gives None (nothing is sent)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, route: str, params: tuple[Param, ...]) -> None:
        super().__init__(classes="dialog")
        self.route = route
        self.params = params

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Parameters for {clean_line(self.route)}", style="bold"))
            for i, p in enumerate(self.params):
                yield Label(Text(f"{p.name}  ", style="bold").append(_param_hint(p), style="dim"))
                yield Input(id=f"param-{i}", placeholder=p.name)
            yield Static("", id="dialog-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Send", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def values(self) -> dict[str, str] | None:
        """The values typed, or None (with the reason shown) when a required one is missing."""
        out: dict[str, str] = {}
        for i, p in enumerate(self.params):
            value = self.query_one(f"#param-{i}", Input).value.strip()
            if not value and not p.optional:
                self.query_one("#dialog-error", Static).update(
                    Text(f"{p.name} is required.", style="bold red")
                )
                self.query_one(f"#param-{i}", Input).focus()
                return None
            if value:
                out[p.name] = value
        return out

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        i = inputs.index(event.input)
        if i + 1 < len(inputs):
            inputs[i + 1].focus()
        else:
            self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        values = self.values()
        if values is not None:
            self.dismiss(values)
