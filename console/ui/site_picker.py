"""Which site of a monorepo to open: the sites found below the folder, enter opens one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from console.ui.text import clean_line


class SitePickerApp(App[str | None]):
    """Returns the chosen site (relative to the folder, as listed), or None on escape."""

    TITLE = "console"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "leave", "quit", id="picker.quit")]
    DEFAULT_CSS = """
    SitePickerApp { align: center middle; }
    #picker-title { width: 80%; padding: 1 0; }
    #picker-sites { width: 80%; height: auto; max-height: 70%; }
    """

    def __init__(self, folder: str, sites: Sequence[str]) -> None:
        super().__init__()
        self.folder = folder
        self.sites = tuple(sites)

    def compose(self) -> ComposeResult:
        # Folder names come from the disk: shown as plain text, never as markup.
        title = Text(f"{clean_line(self.folder)} is not a site. Sites here (enter opens one):")
        yield Static(title, id="picker-title")
        yield OptionList(
            *(Option(Text(clean_line(site)), id=f"site-{n}") for n, site in enumerate(self.sites)),
            id="picker-sites",
        )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.exit(self.sites[event.option_index])

    def action_leave(self) -> None:
        self.exit(None)
