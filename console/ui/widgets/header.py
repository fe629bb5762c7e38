"""The header line: project, target, dev server, scheduler, problems, clock. Red on production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from console.engine import DevState, FunctionsState
from console.model import Target, TargetKind
from console.sites import public_url
from console.ui.text import clean_line

_DEV_STYLE = {
    DevState.STOPPED: ("stopped", "dim"),
    DevState.STARTING: ("starting…", "bold yellow"),
    DevState.READY: ("ready", "bold green"),
    DevState.ATTACHED: ("attached", "bold green"),
    DevState.CRASHED: ("crashed", "bold red"),
    DevState.FAILED: ("failed", "bold red"),
}


# The functions server is named once it does something: "stopped" is every project's state
# before it is started, and a project without functions has none to show.
_FUNCTIONS_STYLE = {
    FunctionsState.STARTING: ("starting…", "bold yellow"),
    FunctionsState.READY: ("ready", "bold green"),
    FunctionsState.ATTACHED: ("attached", "bold green"),
    FunctionsState.SHARED: ("with dev", "bold green"),
    FunctionsState.CRASHED: ("crashed", "bold red"),
    FunctionsState.FAILED: ("failed", "bold red"),
    FunctionsState.NOT_INSTALLED: ("not installed", "bold red"),
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
    functions: FunctionsState | None = None  # None: no functions server to show
    functions_detail: str = ""


# What goes first when the line is too narrow (higher drops first): the URL, the target's name,
# the local clock, the project's name, the dev server. The target's kind (red on production),
# the scheduler, the problem count and the UTC clock always stay.
_DROP_URL, _DROP_NAME, _DROP_LOCAL, _DROP_PROJECT, _DROP_DEV = 6, 5, 4, 3, 2
_DROP_FUNCTIONS_DETAIL = 7  # the reason a start failed goes before anything else
_KEEP = 0


def header_text(state: HeaderState, width: int) -> Text:
    """One line: what, where, and what is running; the clock on the right. Parts are left out,
    least important first, until the line fits `width`."""
    t = state.target
    production = t.kind is TargetKind.PRODUCTION
    left: list[tuple[int, Text]] = [
        (_DROP_PROJECT, Text(f" {clean_line(state.project)} ", style="bold reverse"))
    ]
    badge = Text("  ")
    if production:
        badge.append(" PRODUCTION ", style="bold white on red3")
    else:
        badge.append(f" {t.kind} ", style=_KIND_BADGE.get(t.kind, "bold reverse"))
    left.append((_KEEP, badge))
    if t.name != str(t.kind):
        left.append((_DROP_NAME, Text(f" {clean_line(t.name)}", style="bold")))
    left.append(
        (
            _DROP_URL,
            Text(" " + clean_line(public_url(t.url)), style="bold underline" if production else ""),
        )
    )
    dev = Text("   dev ")
    if state.dev is None:
        dev.append("off", style="dim")
    else:
        word, style = _DEV_STYLE[state.dev]
        dev.append(word, style=style)
        if state.dev_detail and state.dev in (DevState.CRASHED, DevState.FAILED):
            dev.append(f" ({clean_line(state.dev_detail)})", style="red")
        if state.dev is DevState.ATTACHED and state.dev_warning:
            dev.append(" (not this project's!)", style="bold yellow")
    left.append((_DROP_DEV if not state.dev_warning else _KEEP, dev))
    if state.functions in _FUNCTIONS_STYLE:
        word, style = _FUNCTIONS_STYLE[state.functions]
        functions = Text("   functions ")
        functions.append(word, style=style)
        left.append((_DROP_DEV, functions))
        if state.functions is FunctionsState.NOT_INSTALLED:
            # The one thing to do about it: `not installed: npm i -D netlify-cli`.
            hint = state.functions_detail.removeprefix("not installed").lstrip(": ")
            if hint:
                left.append((_DROP_DEV, Text(f": {clean_line(hint)}", style="red")))
        elif state.functions is FunctionsState.FAILED and state.functions_detail:
            detail = Text(f" ({clean_line(state.functions_detail)})", style="red")
            left.append((_DROP_FUNCTIONS_DETAIL, detail))
    scheduler = Text("   scheduler ")
    scheduler.append("on", style="bold green") if state.scheduler else scheduler.append(
        "off", style="dim"
    )
    if state.scheduler_holder is not None:
        # Its fires go out from there: this process sends only those it claims first.
        scheduler.append(f" (held by pid {state.scheduler_holder})", style="bold yellow")
    left.append((_KEEP, scheduler))
    if state.errors or state.warnings:
        problems = Text("   ")
        if state.errors:
            problems.append(f"✖ {state.errors}", style="bold red")
            problems.append(" ")
        if state.warnings:
            problems.append(f"▲ {state.warnings}", style="bold yellow")
            problems.append(" ")
        problems.append("(e)", style="dim")
        left.append((_KEEP, problems))
    now = state.now.astimezone(UTC)
    local = state.now.astimezone(state.tz)
    right: list[tuple[int, Text]] = [(_KEEP, Text(f"{now:%H:%M} UTC", style="bold"))]
    if local.utcoffset() != now.utcoffset() or (local.tzname() or "UTC") != "UTC":
        right.append(
            (_DROP_LOCAL, Text(f" · {local:%H:%M} {local.tzname() or ''}".rstrip(), style="bold"))
        )
    right.append((_KEEP, Text(" ")))

    def size() -> int:
        return sum(p.cell_len for _, p in left) + sum(p.cell_len for _, p in right) + 2

    while size() > width:
        worst = max((prio for prio, _ in left + right), default=_KEEP)
        if worst == _KEEP:
            break
        left = [(prio, p) for prio, p in left if prio != worst]
        right = [(prio, p) for prio, p in right if prio != worst]
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for _, part in left:
        line.append_text(part)
    clock = Text(end="")
    for _, part in right:
        clock.append_text(part)
    gap = width - line.cell_len - clock.cell_len
    line.append(" " * max(1, gap))
    line.append_text(clock)
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
