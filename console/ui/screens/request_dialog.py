"""The trigger dialog: what the request carries, as `console trigger` has it (`--param`,
`--query`, `--method`, `--data`), prefilled from the last run of the route."""

from __future__ import annotations

import contextlib
import json
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from console.engine import RunRequest
from console.model import Param, Route, RouteKind
from console.ui.text import clean_line
from console.ui.view import DEFAULT_METHOD

BODY_SHOWN = 4096  # characters of a past body put back in the field (one line of JSON)


def _param_hint(param: Param) -> str:
    if param.catch_all:
        hint = "one or more segments, e.g. a/b/c"
        return hint + " (optional)" if param.optional else hint
    return "one segment"


def _body_text(body: bytes | None) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", errors="replace")
    with contextlib.suppress(ValueError):  # on one line: the field is one line
        text = json.dumps(json.loads(text), ensure_ascii=False, separators=(", ", ": "))
    return clean_line(text[:BODY_SHOWN])


class RequestDialog(ModalScreen[RunRequest | None]):
    """Path parameters, query, method and body; enter sends (after checking), escape gives None.

    A scheduled route's method and body are the platform's (`POST {"next_run": ...}`): the
    dialog says so instead of asking."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]
    # One row per field (label, then a borderless input), so the whole form and its buttons
    # fit at 80x24 with a route of three parameters.
    DEFAULT_CSS = """
    RequestDialog .field { height: 1; margin-bottom: 1; }
    RequestDialog .field Label { width: 9; }
    RequestDialog .field Input {
        width: 1fr; height: 1; border: none; padding: 0 1; margin: 0; background: $boost;
    }
    RequestDialog .field Input:focus { background: $primary 30%; }
    RequestDialog .hint { color: $text-muted; margin-bottom: 1; }
    """

    def __init__(self, route: Route, last: RunRequest | None = None) -> None:
        super().__init__(classes="dialog")
        self.route = route
        self.last = last or RunRequest()

    @property
    def fixed_body(self) -> bool:
        return self.route.kind is RouteKind.SCHEDULED

    def compose(self) -> ComposeResult:
        last = self.last
        with Vertical(id="dialog"):
            title = Text(f"Trigger {clean_line(self.route.route)}", style="bold")
            if last != RunRequest():
                title.append("  as its last run", style="dim")
            yield Static(title, id="dialog-title")
            for i, p in enumerate(self.route.params):
                with Horizontal(classes="field"):
                    yield Label(Text(p.name, style="bold"))
                    yield Input(
                        value=clean_line(last.params.get(p.name, "")),
                        id=f"param-{i}",
                        placeholder=_param_hint(p),
                    )
            with Horizontal(classes="field"):
                yield Label(Text("query", style="bold"))
                yield Input(
                    value=urlencode(last.query), id="query", placeholder="name=value&other=2"
                )
            if self.fixed_body:
                yield Static(
                    Text(
                        'POST {"next_run": …} with the Clockwork headers, as the platform sends it'
                    ),
                    id="fixed-request",
                    classes="hint",
                )
            else:
                default = DEFAULT_METHOD[self.route.kind]
                with Horizontal(classes="field"):
                    yield Label(Text("method", style="bold"))
                    yield Input(value=last.method or "", id="method", placeholder=default)
                with Horizontal(classes="field"):
                    yield Label(Text("body", style="bold"))
                    yield Input(
                        value=_body_text(last.body),
                        id="body",
                        placeholder="JSON, sent as application/json",
                    )
            yield Static(Text("enter sends · tab moves · esc sends nothing"), classes="hint")
            yield Static("", id="dialog-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Send", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str, field: str) -> None:
        self.query_one("#dialog-error", Static).update(Text(message, style="bold red"))
        self.query_one(f"#{field}", Input).focus()

    def request(self) -> RunRequest | None:
        """What was typed as a request, or None (with the reason shown) when it cannot be sent."""
        params: dict[str, str] = {}
        for i, p in enumerate(self.route.params):
            value = self.query_one(f"#param-{i}", Input).value.strip()
            if not value and not p.optional:
                self._error(f"{p.name} is required.", f"param-{i}")
                return None
            if value:
                params[p.name] = value
        raw_query = self.query_one("#query", Input).value.strip().lstrip("?")
        try:
            query = tuple(parse_qsl(raw_query, keep_blank_values=True, strict_parsing=True))
        except ValueError:
            self._error("query: write it as name=value&other=2.", "query")
            return None
        if self.fixed_body:
            return RunRequest(params=params, query=query)
        method = self.query_one("#method", Input).value.strip().upper() or None
        if method is not None and not method.isalpha():
            self._error(f"method: {method} is not an HTTP method.", "method")
            return None
        body_text = self.query_one("#body", Input).value.strip()
        body = None
        if body_text:
            try:
                json.loads(body_text)
            except ValueError as exc:
                self._error(f"body is not valid JSON: {exc}.", "body")
                return None
            body = body_text.encode()
        return RunRequest(
            method=method,
            body=body,
            content_type="application/json" if body is not None else None,
            params=params,
            query=query,
        )

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        request = self.request()
        if request is not None:
            self.dismiss(request)
