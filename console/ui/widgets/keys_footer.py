"""The footer: the screen's keys on one line, whole keys only, help and quit always on the right."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from console.ui.bindings import footer_ids

PINNED = ("help", "quit")  # actions kept on the right however narrow the terminal
GAP = 1  # between two keys: the key's bold letter already marks where the next one starts


class FooterItem(NamedTuple):
    key: str  # the Textual key name, pressed when the item is clicked
    shown: str  # how the key reads (`^p`, `?`)
    label: str


def fit_items(
    left: list[FooterItem], right: list[FooterItem], width: int
) -> tuple[list[FooterItem], list[FooterItem]]:
    """The keys that fit whole in `width`: the pinned ones first, then the others in order.

    Textual's own footer cuts the last key in the middle and lets the palette key sit on top
    of it (`^p paletteo` at 80 columns); here a key is shown entirely or not at all."""

    def size(items: list[FooterItem]) -> int:
        return sum(len(i.shown) + 1 + len(i.label) for i in items) + GAP * max(0, len(items) - 1)

    while right and size(right) > width:
        right = right[1:]
    room = width - size(right) - (3 if right else 0)
    shown: list[FooterItem] = []
    for item in left:
        if size([*shown, item]) > room:
            break
        shown.append(item)
    return shown, right


class KeysFooter(Widget):
    """One line drawn from the screen's active bindings (after the user's keymap), redrawn
    when they change. A single widget instead of Textual's dozen: cheaper to start."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keys-footer--key", "keys-footer--label"}
    DEFAULT_CSS = """
    KeysFooter {
        height: 1;
        dock: bottom;
        background: $footer-background;
        & > .keys-footer--key { color: $footer-key-foreground; text-style: bold; }
        & > .keys-footer--label { color: $footer-description-foreground; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # x from, x to, key: what a click presses
        # Reading the screen's active bindings walks the focus chain: once per change of them.
        self._items: tuple[list[FooterItem], list[FooterItem]] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self._items = None
        self.refresh()

    def items(self) -> tuple[list[FooterItem], list[FooterItem]]:
        """The keys to show, the pinned ones apart, one per action (its first key)."""
        left: list[FooterItem] = []
        right: list[FooterItem] = []
        seen: set[str] = set()
        active = self.screen.active_bindings.values()
        # A hidden twin stands in for its shown key only when it shadows it (same key after
        # the user's keymap); otherwise `enter` would be listed beside `t`.
        present = {b.binding.id for b in active if b.binding.show}
        stand_ins = footer_ids() - present
        app = self.app
        for _node, binding, enabled, _tooltip in active:
            shown = binding.show or binding.id in stand_ins
            if not shown or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            item = FooterItem(binding.key, app.get_key_display(binding), binding.description)
            (right if binding.action in PINNED else left).append(item)
        if app.ENABLE_COMMAND_PALETTE:
            palette = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                binding = palette.binding
                right.append(FooterItem(binding.key, app.get_key_display(binding), "palette"))
        return left, right

    def render(self) -> Text:
        width = self.size.width
        if self._items is None:
            self._items = self.items()
        left, right = fit_items(*self._items, width)
        key_style = self.get_component_rich_style("keys-footer--key")
        label_style = self.get_component_rich_style("keys-footer--label")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []

        def put(items: list[FooterItem]) -> None:
            for i, item in enumerate(items):
                if i:
                    line.append(" " * GAP, style=label_style)
                start = line.cell_len
                line.append(item.shown, style=key_style)
                line.append(" " + item.label, style=label_style)
                spans.append((start, line.cell_len, item.key))

        put(left)
        right_size = sum(len(i.shown) + 1 + len(i.label) for i in right) + GAP * max(
            0, len(right) - 1
        )
        line.append(" " * max(0, width - line.cell_len - right_size), style=Style())
        put(right)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)  # as Textual's footer keys do
                return
