"""The problems screen: what `console check` reports, one line each, errors first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from console.model import Problem, Severity
from console.ui.text import clean_line


class ProblemsScreen(ModalScreen[None]):
    """Lists problems; escape, `e` or `q` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,e,q", "close", "close")]

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(classes="dialog -wide")
        order = {Severity.ERROR: 0, Severity.WARNING: 1}
        self.problems = sorted(problems, key=lambda p: (order[p.severity], p.file, p.line))

    def compose(self) -> ComposeResult:
        errors = sum(1 for p in self.problems if p.severity is Severity.ERROR)
        warnings = len(self.problems) - errors
        with Vertical(id="dialog"):
            title = Text("Problems", style="bold")
            title.append(
                f"  {errors} error{'s' if errors != 1 else ''}, "
                f"{warnings} warning{'s' if warnings != 1 else ''}",
                style="dim",
            )
            yield Static(title, id="dialog-title")
            if not self.problems:
                yield Static(Text("No problems: `console check` finds nothing.", style="green"))
            else:
                yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
            yield Static(Text("esc closes", style="dim"))

    def on_mount(self) -> None:
        if not self.problems:
            return
        table = self.query_one("#problems", DataTable)
        table.add_columns("", "where", "code", "message")
        for p in self.problems:
            sev = (
                Text("✖ error", style="bold red")
                if p.severity is Severity.ERROR
                else Text("▲ warning", style="bold yellow")
            )
            table.add_row(
                sev,
                Text(f"{clean_line(p.file)}:{p.line}:{p.column}"),
                Text(p.code, style="cyan"),
                Text(clean_line(p.message)),
            )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
