"""The target picker: every target console.toml has, by name and kind (k9s's contexts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.model import Target, TargetKind
from console.ui.text import clean_line, shorten

KIND_STYLE = {
    TargetKind.LOCAL: "bold green",
    TargetKind.PREVIEW: "bold yellow",
    TargetKind.PRODUCTION: "bold white on red3",
}


def target_choices(targets: Sequence[Target], local: Target) -> list[Target]:
    """Local first (console.toml may not name one: the default then), then the file's order."""
    out = list(targets)
    if not any(t.kind is TargetKind.LOCAL for t in out):
        out.insert(0, local)
    return sorted(out, key=lambda t: t.kind is not TargetKind.LOCAL)


def target_line(target: Target, current: bool, width: int = 60) -> Text:
    line = Text("● " if current else "  ", style="bold")
    line.append(f"{shorten(clean_line(target.name), 16):<16} ", style="bold")
    line.append(f" {target.kind} ", style=KIND_STYLE[target.kind])
    line.append(" " * (11 - len(str(target.kind))))
    line.append(shorten(clean_line(target.url), width))
    return line


class TargetPicker(ModalScreen[Target | None]):
    """Lists the targets; enter picks one, escape (or `T` again) keeps the current one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,T", "cancel", "keep"),
        Binding("j", "down", show=False),
        Binding("k", "up", show=False),
    ]
    DEFAULT_CSS = """
    TargetPicker #targets { height: auto; max-height: 20; }
    """

    def __init__(self, targets: Sequence[Target], current: Target) -> None:
        super().__init__(classes="dialog")
        self.targets = list(targets)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Targets", style="bold"), id="dialog-title")
            yield OptionList(
                *(
                    Option(target_line(t, t.name == self.current.name), id=f"target-{i}")
                    for i, t in enumerate(self.targets)
                ),
                id="targets",
            )
            yield Static(
                Text(
                    "enter picks · esc keeps the current one · `console target add` adds one "
                    "(shown here at once)",
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for i, t in enumerate(self.targets):
            if t.name == self.current.name:
                options.highlighted = i
        options.focus()

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.targets[event.option_index])
