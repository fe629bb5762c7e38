"""The log panel: the log view with its text filter box (opened with `/` in the log)."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from console.ui.widgets.log_view import LogView


class LogPanel(Vertical):
    """Wires the filter box to the log view; nothing else."""

    DEFAULT_CSS = """
    LogPanel #log-filter { display: none; height: 1; border: none; padding: 0 1; }
    LogPanel.-filtering #log-filter { display: block; }
    LogPanel LogView { height: 1fr; border: round $primary-muted; }
    LogPanel LogView:focus { border: round $primary; }
    """

    def __init__(self, max_lines: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(self._max_lines, id="log")

    @property
    def log_view(self) -> LogView:
        return self.query_one(LogView)

    def _box(self) -> Input | None:
        return next(self.query("#log-filter").results(Input), None)

    def open_filter(self) -> None:
        self.add_class("-filtering")
        box = self._box()
        if box is None:  # made on first use: one widget less to build at start-up
            box = Input(placeholder="filter the log (enter keeps, esc clears)", id="log-filter")
            self.mount(box, before=self.log_view)
        box.value = self.log_view.text_filter
        box.focus()

    def clear_filter(self) -> None:
        box = self._box()
        if box is not None:
            box.value = ""
        self.log_view.set_text_filter("")
        self.remove_class("-filtering")
        self.log_view.focus()

    @on(Input.Changed, "#log-filter")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.log_view.set_text_filter(event.value)

    @on(Input.Submitted, "#log-filter")
    def _kept(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.remove_class("-filtering")
        self.log_view.focus()

    def on_key(self, event: events.Key) -> None:
        box = self._box()
        if event.key == "escape" and box is not None and box.has_focus:
            event.stop()
            self.clear_filter()
