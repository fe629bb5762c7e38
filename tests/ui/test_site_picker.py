"""`console open` at a monorepo root: the site picker, driven by Pilot."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList

from console.ui.site_picker import SitePickerApp


async def test_enter_opens_the_highlighted_site() -> None:
    app = SitePickerApp("/repo", ["apps/docs", "apps/web"])
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("down", "enter")
    assert app.return_value == "apps/web"


async def test_escape_leaves_without_a_site() -> None:
    app = SitePickerApp("/repo", ["apps/docs", "[bold]odd\x1b[31m"])
    async with app.run_test(size=(100, 20)) as pilot:
        prompt = app.query_one(OptionList).get_option_at_index(1).prompt
        assert isinstance(prompt, Text) and prompt.plain == "[bold]odd"  # text, not markup
        await pilot.press("escape")
    assert app.return_value is None
