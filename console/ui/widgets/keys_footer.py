"""The footer: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not re-exported by textual.widgets


class KeysFooter(Footer):
    """Textual's `Footer` rebuilds all its key widgets each time the screen's bindings are
    refreshed, and start-up refreshes them three times (focus set, screen resumed, ...) with
    the same keys: each rebuild mounts a dozen widgets, restyles them and costs a frame
    (bench/ui.py). This one skips a rebuild that would show exactly what is already shown."""

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(compact=compact, id=id)
        self._shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """Everything `Footer.compose` reads: each binding shown, its state and display."""
        app = self.app
        return (
            self._bindings_ready,
            self.compact,
            self.show_command_palette,
            tuple(
                (binding, enabled, tooltip, app.get_key_display(binding))
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            ),
        )

    def compose(self) -> ComposeResult:
        # A key made without `-compact` gets it from a watcher once mounted, which restyles
        # that key alone and lays the footer out again: give it the class up front instead.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
