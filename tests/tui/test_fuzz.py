"""Thousands of random key presses and clicks, on every screen, never crash the app.

Quit keys (and the command palette, whose random typing can pick "Quit") are left out: they would
end the test, not find a bug. Everything else is fair game, including saving and exporting, so the
test runs in a temporary folder.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from tco.tui.app import TcoApp

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import TODAY, open_app  # noqa: E402

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # minutes of random input: the -m slow run
SID = "tui-support"
SIZE = (100, 30)
KEYS = (
    [*"abcdefghijklmnoprstuvwxyz0123456789.-"]  # no "q": it quits
    + ["enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "backspace", "delete", "home", "end",
       "pageup", "pagedown", "ctrl+s", "ctrl+r", "slash", "question_mark", "f1", "space", "comma"]
)
SCREEN_KEYS = ("g", "o", "m", "a", "e", "question_mark", "x", "i", "n", "w")
"""Keys that open a screen of their own: catalogs, explain, help, the export path prompt, the option
editor, the kind of a new option, the Save-as prompt."""


async def _fuzz(pilot, rng: random.Random, actions: int) -> None:
    app = pilot.app
    for i in range(actions):
        if rng.random() < 0.15:
            # anywhere but the footer, whose "q Quit" would end the run
            await pilot.click(offset=(rng.randrange(SIZE[0]), rng.randrange(SIZE[1] - 1)))
        else:
            await pilot.press(rng.choice(KEYS))
        if i % 25 == 0:
            await pilot.pause()
        assert app.is_running, f"the app stopped after action {i}"


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_keys_and_clicks_anywhere_never_crash_the_app(scenario_file, tmp_path, monkeypatch, seed):
    monkeypatch.chdir(tmp_path)
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot, SID)
        await _fuzz(pilot, random.Random(seed), 700)
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("opener", SCREEN_KEYS)
async def test_random_keys_on_each_screen_never_crash_the_app(scenario_file, tmp_path, monkeypatch, opener):
    monkeypatch.chdir(tmp_path)
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot, SID)
        await pilot.press(opener)
        await pilot.pause()
        await _fuzz(pilot, random.Random(opener), 150)
    assert app.return_code in (None, 0)
