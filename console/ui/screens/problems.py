"""The problems screen: what `console check` reports, errors first, each message wrapped whole."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.model import Problem, Severity
from console.ui.text import clean_line


def problems_table(problems: Sequence[Problem]) -> Table:
    """One entry per problem: where and the code on a line, the message wrapped whole under it
    (a message cut at the dialog's edge, scrolled sideways a few characters a key, was not
    readable; beside the file name it had 14 columns left at 80)."""
    table = Table(box=None, padding=(0, 1, 1, 0), show_edge=False, show_header=False, expand=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for p in problems:
        sev = (
            Text("✖ error", style="bold red")
            if p.severity is Severity.ERROR
            else Text("▲ warning", style="bold yellow")
        )
        entry = Text(f"{clean_line(p.file)}:{p.line}:{p.column}", style="bold")
        entry.append(f"  {clean_line(p.code)}", style="cyan")
        entry.append("\n")
        entry.append(clean_line(p.message))
        table.add_row(sev, entry)
    return table


class ProblemsList(VerticalScroll, can_focus=True):
    """The problems, scrolled up and down (arrows, page keys, j/k, g/G)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", show=False),
        Binding("k", "scroll_up", show=False),
        Binding("g", "scroll_home", show=False),
        Binding("G", "scroll_end", show=False),
    ]


class ProblemsScreen(ModalScreen[None]):
    """Lists problems; escape, `e` or `q` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,e,q", "close", "close")]
    DEFAULT_CSS = """
    ProblemsScreen #dialog { max-width: 100%; }
    ProblemsScreen #problems { height: auto; max-height: 100%; }
    """

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
                with ProblemsList(id="problems"):
                    yield Static(problems_table(self.problems), id="problems-table")
            yield Static(Text("esc closes", style="dim"))

    def on_mount(self) -> None:
        if self.problems:
            self.query_one(ProblemsList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
