"""The one table of keys: ids (remappable in console.toml [keys]), actions, words for footer and help.

Every entry becomes a Textual `Binding` with the same id, a command in the palette with the same
description, and a line of the help screen. Actions live on the main screen (`screen.` prefix when
a widget's binding points at them), so a key, the palette and a test all reach the same method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from textual.binding import Binding, BindingType


class Scope(StrEnum):
    """Where a key is bound: the app, the main screen, or a widget when it has the focus."""

    APP = "app"
    SCREEN = "screen"
    LOG = "log"
    ROUTES = "routes"
    RUNS = "runs"


@dataclass(frozen=True)
class Key:
    id: str  # the name used in console.toml [keys]
    keys: str  # Textual key names, comma-separated
    action: str  # a method `action_<name>` of the main screen (or of the app, for Scope.APP)
    label: str  # short, for the footer
    description: str  # one sentence, for the palette and the help screen
    scope: Scope = Scope.SCREEN
    show: bool = True  # in the footer
    palette: bool = True
    own: bool = False  # the action is the widget's own (cursor_down), not the main screen's


KEYS: tuple[Key, ...] = (
    Key("trigger", "t", "trigger", "trigger", "Trigger the selected route on the current target"),
    Key(
        "trigger",
        "enter",
        "trigger",
        "trigger",
        "Trigger the selected route on the current target",
        scope=Scope.ROUTES,
        show=False,
        palette=False,
    ),
    Key(
        "trigger_request",
        "m",
        "trigger_request",
        "request…",
        "Trigger the selected route with a query, method or body (from its last run)",
        show=False,  # the footer is full at 80 columns; `?` and the palette list it
    ),
    Key(
        "targets",
        "T",
        "pick_target",
        "targets",
        "Pick the target from every one in console.toml (name, kind, URL)",
    ),
    Key(
        "filter_routes", "slash", "filter_routes", "filter", "Filter the routes by text", show=False
    ),
    Key(
        "switch_target",
        "p",
        "switch_target",
        "preview/prod",
        "Switch between preview and production",
    ),
    Key("local", "l", "local_target", "local", "Go back to the local target"),
    Key("next_fires", "n", "next_fires", "next", "Show the next 10 fires of the selected route"),
    Key("scheduler", "s", "toggle_scheduler", "scheduler", "Turn the local scheduler on or off"),
    Key("cancel", "c", "cancel_run", "cancel", "Cancel the selected run"),
    Key("rerun", "r", "rerun", "rerun", "Run the selected run again"),
    Key("dev", "d", "dev_server", "dev", "Start or restart the dev server"),
    Key("follow", "f", "toggle_follow", "follow", "Follow the log (on/off)", show=False),
    Key("problems", "e", "problems", "problems", "Show the problems `console check` finds"),
    Key("zoom", "z", "zoom_timeline", "zoom", "Zoom the timeline: 24 hours or 7 days", show=False),
    Key(
        "zoom_panel",
        "Z",
        "zoom_panel",
        "full screen",
        "Show the focused panel on the whole screen (again: all panels)",
        show=False,
    ),
    Key("focus_routes", "1", "focus_panel('routes')", "routes", "Focus the routes", show=False),
    Key("focus_runs", "2", "focus_panel('runs')", "runs", "Focus the runs", show=False),
    Key("focus_log", "3", "focus_panel('logs')", "log", "Focus the log", show=False),
    Key(
        "run_detail",
        "v",
        "run_detail",
        "details",
        "Show the selected run's details and full log",
        show=False,
    ),
    Key(
        "run_detail",
        "enter",
        "run_detail",
        "details",
        "Show the selected run's details and full log",
        scope=Scope.RUNS,
        show=False,
        palette=False,
    ),
    Key(
        "log_run",
        "o",
        "log_run",
        "only run",
        "Show only the selected run's log lines (again: all lines)",
        show=False,
    ),
    Key(
        "filter_log",
        "slash",
        "filter_log",
        "filter log",
        "Filter the log by text",
        scope=Scope.LOG,
        show=False,
    ),
    Key("wrap", "w", "toggle_wrap", "wrap", "Wrap long log lines (on/off)", show=False),
    Key(
        "copy",
        "y",
        "copy_log",
        "copy",
        "Copy the selected log text (or every line shown) to the clipboard",
        show=False,
    ),
    Key("help", "question_mark", "help", "help", "Show every key", scope=Scope.APP),
    Key("quit", "q", "quit", "quit", "Quit the console", scope=Scope.APP),
)

# Vim's moves (the habit of k9s, lazygit and htop users) in the tables and the log: the
# widgets' own actions, so scrolling the log up with k pauses follow as the arrow does.
_MOVES = (
    ("down", "j", "Move down a row (in the log: a line)"),
    ("up", "k", "Move up a row (in the log: a line; pauses follow)"),
    ("top", "g", "Go to the first row (in the log: the oldest line)"),
    ("bottom", "G", "Go to the last row (in the log: the newest line; follows)"),
)
_ROUTE_MOVES = {  # the routes table (route_table.RouteTable): home/end move the cursor
    "down": "cursor_down",
    "up": "cursor_up",
    "top": "scroll_home",
    "bottom": "scroll_end",
}
_TABLE_MOVES = {  # a DataTable: home/end scroll sideways, top/bottom move the cursor
    "down": "cursor_down",
    "up": "cursor_up",
    "top": "scroll_top",
    "bottom": "scroll_bottom",
}
_LOG_MOVES = {
    "down": "scroll_down",
    "up": "scroll_up",
    "top": "scroll_home",
    "bottom": "scroll_end",
}
KEYS += tuple(
    Key(key_id, key, actions[key_id], key_id, description, scope=scope, show=False,
        palette=False, own=True)
    for scope, actions in ((Scope.ROUTES, _ROUTE_MOVES), (Scope.RUNS, _TABLE_MOVES),
                           (Scope.LOG, _LOG_MOVES))
    for key_id, key, description in _MOVES
)  # fmt: skip


def bindings(scope: Scope) -> list[BindingType]:
    """The Textual bindings of one scope; widget scopes point at the main screen's actions."""
    prefix = "screen." if scope in (Scope.LOG, Scope.ROUTES, Scope.RUNS) else ""
    return [
        Binding(
            k.keys,
            ("" if k.own else prefix) + k.action,
            k.label,
            show=k.show,
            id=k.id,
            tooltip=k.description,
        )
        for k in KEYS
        if k.scope is scope
    ]


def footer_ids() -> set[str]:
    """Ids the footer shows. A widget's twin of a key (`enter` in the routes table) is hidden;
    remapped to the same key as its shown twin, it shadows it, and the footer still shows it."""
    return {k.id for k in KEYS if k.show}


def palette_keys() -> list[Key]:
    return [k for k in KEYS if k.palette]


def known_ids() -> set[str]:
    return {k.id for k in KEYS}


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """Ids in console.toml [keys] that name no key: a typo the user should hear about."""
    return sorted(set(keymap) - known_ids())


def display_key(key: str) -> str:
    """`question_mark` -> `?`, `slash` -> `/`, `enter` -> `enter`: how a key reads in help."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "escape": "esc",
        "full_stop": ".",
        "comma": ",",
        "exclamation_mark": "!",
    }
    return names.get(key, key)


def keys_for(entry_id: str, keymap: Mapping[str, str]) -> list[str]:
    """Every key bound to an id, after the user's keymap, in the order they were written."""
    out: list[str] = []
    if entry_id in keymap:
        raw: Iterable[str] = keymap[entry_id].split(",")
    else:
        raw = (key for k in KEYS if k.id == entry_id for key in k.keys.split(","))
    for key in raw:
        shown = display_key(key.strip())
        if shown and shown not in out:
            out.append(shown)
    return out
