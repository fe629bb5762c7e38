"""The help screen: every key, after the user's console.toml [keys], with what it does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.ui.bindings import KEYS, keys_for

# Keys Textual or the dialogs own: listed so that the help is complete, not remappable here.
FIXED_KEYS = (
    ("tab / shift+tab", "Move between the routes, runs and log panels"),
    ("↑ ↓ pgup pgdn", "Move in a table; scroll the log (scrolling up pauses follow)"),
    ("ctrl+p", "Open the command palette (every key is a command there)"),
    ("ctrl+c", "Copy the text selected with the mouse"),
    ("y / n / esc", "In the production dialog: send / do not send"),
)


def keys_table(keymap: Mapping[str, str]) -> Table:
    table = Table(box=None, padding=(0, 2), show_edge=False, header_style="bold")
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("what it does")
    table.add_column("id", style="dim")
    seen: set[str] = set()
    for k in KEYS:
        if k.id in seen:
            continue
        seen.add(k.id)
        # Keys come from console.toml: text, not markup (a `[/]` there crashed this screen).
        table.add_row(Text(" ".join(keys_for(k.id, keymap))), k.description, k.id)
    for keys, what in FIXED_KEYS:
        table.add_row(keys, what, "")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every key; escape, `?` or `q` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "close")]

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__(classes="dialog -wide")
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Keys", style="bold"), id="dialog-title")
            with VerticalScroll():
                yield Static(keys_table(self.keymap), id="keys")
            yield Static(
                Text(
                    'Remap any key by its id in console.toml [keys], e.g. trigger = "t,x".'
                ).append("  esc closes", style="dim")
            )

    def action_close(self) -> None:
        self.dismiss(None)
