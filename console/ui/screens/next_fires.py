"""The next-fires dialog: the next 10 fires of a scheduled route, in UTC and in local time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from console.ui.text import clean_line
from console.ui.view import in_words


def fires_table(fires: Sequence[datetime], now: datetime, tz: tzinfo) -> Table:
    table = Table(box=None, padding=(0, 2), show_edge=False, header_style="bold")
    table.add_column("#", justify="right", style="dim")
    table.add_column("UTC")
    table.add_column("local")
    table.add_column("in", style="dim")
    for i, at in enumerate(fires, 1):
        utc = at.astimezone(UTC)
        local = at.astimezone(tz)
        table.add_row(
            str(i),
            f"{utc:%a %Y-%m-%d %H:%M}",
            f"{local:%a %H:%M} {local.tzname() or ''}".rstrip(),
            in_words(at - now),
        )
    return table


class NextFiresDialog(ModalScreen[None]):
    """Read-only; any of escape, enter, `n` or `q` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,n,q", "close", "close")]

    def __init__(
        self,
        route: str,
        schedule: str,
        description: str,
        fires: Sequence[datetime],
        now: datetime,
        tz: tzinfo,
    ) -> None:
        super().__init__(classes="dialog")
        self.route = route
        self.schedule = schedule
        self.description = description
        self.fires = list(fires)
        self.now = now
        self.tz = tz

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            title = Text(f"Next fires of {clean_line(self.route)}", style="bold")
            yield Static(title, id="dialog-title")
            about = Text()
            about.append(clean_line(self.schedule), style="bold cyan")
            about.append(f"  {clean_line(self.description)}", style="cyan")
            yield Static(about)
            if self.fires:
                yield Static(fires_table(self.fires, self.now, self.tz), id="fires")
            else:
                yield Static(Text("This schedule never fires.", style="bold yellow"), id="fires")
            yield Static(Text("esc closes", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
