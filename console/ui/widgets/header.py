"""The header line: project, target, dev server, scheduler, problems, clock. Red on production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from console.engine import DevState
from console.model import Target, TargetKind
from console.ui.text import clean_line

_DEV_STYLE = {
    DevState.STOPPED: ("stopped", "dim"),
    DevState.STARTING: ("starting…", "bold yellow"),
    DevState.READY: ("ready", "bold green"),
    DevState.ATTACHED: ("attached", "bold green"),
    DevState.CRASHED: ("crashed", "bold red"),
    DevState.FAILED: ("failed", "bold red"),
}


_KIND_BADGE = {
    TargetKind.LOCAL: "bold black on green3",
    TargetKind.PREVIEW: "bold black on yellow3",
}


@dataclass(frozen=True)
class HeaderState:
    """Everything the header shows; the screen builds a new one when any of it changes."""

    project: str
    target: Target
    dev: DevState | None  # None: there is no dev server to run (a deployed-only setup)
    dev_detail: str
    scheduler: bool
    errors: int
    warnings: int
    now: datetime
    tz: tzinfo
    # Attached to a server that is not this project's: which process and folder answer.
    dev_warning: str | None = None
    scheduler_holder: int | None = None  # another console process that holds the scheduler


def header_text(state: HeaderState, width: int) -> Text:
    """One line: what, where, and what is running; the clock on the right."""
    t = state.target
    production = t.kind is TargetKind.PRODUCTION
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    line.append(f" {clean_line(state.project)} ", style="bold reverse")
    line.append("  ")
    if production:
        line.append(" PRODUCTION ", style="bold white on red3")
    else:
        line.append(f" {t.kind} ", style=_KIND_BADGE.get(t.kind, "bold reverse"))
    if t.name != str(t.kind):
        line.append(f" {clean_line(t.name)}", style="bold")
    line.append(" ")
    line.append(clean_line(t.url), style="bold underline" if production else "")
    line.append("   dev ")
    if state.dev is None:
        line.append("off", style="dim")
    else:
        word, style = _DEV_STYLE[state.dev]
        line.append(word, style=style)
        if state.dev_detail and state.dev in (DevState.CRASHED, DevState.FAILED):
            line.append(f" ({clean_line(state.dev_detail)})", style="red")
        if state.dev is DevState.ATTACHED and state.dev_warning:
            line.append(" (not this project's!)", style="bold yellow")
    line.append("   scheduler ")
    line.append("on", style="bold green") if state.scheduler else line.append("off", style="dim")
    if state.scheduler_holder is not None:
        # Its fires go out from there: this process sends only those it claims first.
        line.append(f" (held by pid {state.scheduler_holder})", style="bold yellow")
    if state.errors or state.warnings:
        line.append("   ")
        if state.errors:
            line.append(f"✖ {state.errors}", style="bold red")
            line.append(" ")
        if state.warnings:
            line.append(f"▲ {state.warnings}", style="bold yellow")
            line.append(" ")
        line.append("(e)", style="dim")
    now = state.now.astimezone(UTC)
    local = state.now.astimezone(state.tz)
    clock = f"{now:%H:%M} UTC · {local:%H:%M} {local.tzname() or ''} ".rstrip() + " "
    gap = width - line.cell_len - len(clock)
    if gap > 1:
        line.append(" " * gap)
        line.append(clock, style="bold")
    return line


class HeaderBar(Widget):
    """Shows a `HeaderState`; turns red on a production target."""

    DEFAULT_CSS = """
    HeaderBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    HeaderBar.-production {
        background: $error 60%;
        color: $text;
    }
    """

    state: reactive[HeaderState | None] = reactive(None)

    def watch_state(self, state: HeaderState | None) -> None:
        production = state is not None and state.target.kind is TargetKind.PRODUCTION
        self.set_class(production, "-production")

    def render(self) -> Text:
        if self.state is None:
            return Text("")
        return header_text(self.state, self.size.width)
