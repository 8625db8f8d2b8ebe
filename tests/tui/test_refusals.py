"""Values the UI must refuse inline (never crash), and a scenario whose evaluation failed is not saved silently.

Audit findings: an impossible date in the form and `nan`/`inf`/`1e400` in the option editor killed
the app; Ctrl+S wrote a file `tco validate` refuses and said "Saved"; an old engine message moved
under the next field edited.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from tco.tui.app import TcoApp
from tco.tui.option_fields import EditorRow, check_text, rows_for
from tco.tui.screens.compare import CompareScreen
from tco.tui.screens.confirm import ConfirmScreen
from tco.tui.screens.option_editor import OptionEditorScreen
from tco.tui.session import open_session

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import SID, TODAY, open_app, settled, wait_for  # noqa: E402

pytestmark = pytest.mark.anyio


def _error(app, name: str) -> str:
    widget = app.screen.query_one(f"#error-{name}")
    return str(widget.render()) if widget.display else ""


async def _type(pilot, field_id: str, text: str) -> None:
    entry = pilot.app.screen.query_one(f"#{field_id}", Input)
    entry.focus()
    await pilot.pause()
    with entry.prevent(Input.Changed):
        entry.value = ""
    await pilot.press(*text, "enter")
    await pilot.pause(0.1)


# ---------------------------------------------------------------- impossible dates
@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01"])
def test_an_impossible_date_is_refused_with_the_clis_message(scenario_file, text):
    session = open_session([scenario_file], today=TODAY)
    data = session.propose_value(0, ("finance", "start_date"), text)  # raised ValueError (day is out of range) before
    with pytest.raises(Exception, match="must be a date written as YYYY-MM-DD"):
        session.validate(data)


@pytest.mark.slow  # everyday: test_app.py::test_an_invalid_value_is_explained_inline_and_the_last_results_stay (the same inline path)
async def test_typing_an_impossible_date_shows_an_inline_error_and_the_app_keeps_running(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, SID)
        await _type(pilot, "start_date", "2026-02-30")
        assert app.is_running and isinstance(app.screen, CompareScreen)
        assert "must be a date written as YYYY-MM-DD" in _error(app, "start_date")
        assert str(app.screen.session.entries[0].scenario.finance.start_date) == "2026-11-01"  # unchanged


# ---------------------------------------------------------------- non-finite numbers in the option editor
def _row(ui: str) -> EditorRow:
    return next(r for r in rows_for("self-hosted") if r.ui == ui and r.low is not None)


@pytest.mark.parametrize("ui", ["number", "whole"])
@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e400"])
def test_the_option_editor_refuses_non_finite_numbers_like_the_form(ui, text):
    row = _row(ui)
    assert check_text(row, text) == f"{row.label}: must be a finite number."  # int(nan) / int(inf) raised before


@pytest.mark.slow  # about 5 s in Pilot; everyday, test_the_option_editor_refuses_non_finite_numbers_like_the_form checks the same rule
async def test_typing_inf_in_gpus_per_replica_is_refused_and_the_editor_stays_open(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        table = app.screen.query_one("#costs")
        table.focus()
        table.cursor_coordinate = (table.get_row_index("llama-70b"), 0)
        await pilot.pause()
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, OptionEditorScreen), what="editor open")
        entry = app.screen.query_one("#opt-gpus_per_replica", Input)
        entry.focus()
        with entry.prevent(Input.Changed):
            entry.value = ""
        await pilot.press("i", "n", "f")  # checked on every keystroke: `inf` crashed while typing
        assert entry.has_class("-refused")
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, OptionEditorScreen)
        assert "must be a finite number" in str(app.screen.query_one("#editor-error").render())


# ---------------------------------------------------------------- a failed evaluation
async def test_a_failed_evaluation_stays_under_its_field_and_save_asks_first(scenario_file):
    original = scenario_file.read_text()
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, SID)
        screen = app.screen
        await _type(pilot, "output_tokens", "0")  # valid for the model; a GPU fleet cannot be sized for 0 tokens
        await wait_for(pilot, lambda: "Not recomputed" in _error(app, "output_tokens"), what="engine message")
        generation = screen.generation
        await _type(pilot, "requests_per_day", "30000")  # a valid edit of another field: the scenario still fails
        await wait_for(pilot, lambda: screen.generation > generation and screen.latest[SID] == screen.generation
                       and not any(w.is_running for w in app.workers if w.group == "evaluate"), what="re-evaluated")
        await pilot.pause(0.1)
        assert _error(app, "requests_per_day") == ""  # it showed the old output_tokens message before
        assert "output_tokens" in _error(app, "output_tokens")

        await pilot.press("ctrl+s")  # wrote the file and said "Saved" before
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked")
        question = str(app.screen.query_one("#confirm-question").render())
        assert "failed" in question and "output_tokens" in question
        assert app.screen.focused.id == "no"  # enter keeps the file as it is
        await pilot.press("enter")
        await pilot.pause()
        assert scenario_file.read_text() == original and screen.session.dirty

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked again")
        await pilot.press("y")  # the user's choice: the file is written
        await wait_for(pilot, lambda: not screen.session.dirty, what="saved")
        assert "output_tokens: 0" in scenario_file.read_text()

        await _type(pilot, "output_tokens", "300")  # fixed: the message goes, results follow
        await wait_for(pilot, lambda: settled(app, SID) and SID not in screen.failures, what="recomputed")
        assert _error(app, "output_tokens") == ""


# ---------------------------------------------------------------- non-finite hourly weights in the form
@pytest.mark.parametrize("weight", ["inf", "1e400"])
def test_an_hourly_profile_with_an_infinite_weight_is_not_a_profile(weight):
    from tco.tui.widgets.assumptions_form import profile_weights

    assert profile_weights(", ".join(["1"] * 23 + [weight])) is None
    assert profile_weights(", ".join(["1"] * 23 + ["2"])) == [1.0] * 23 + [2.0]


@pytest.mark.slow  # about 8 s of app start and typing; the everyday test above refuses the same weights
async def test_typing_inf_as_an_hourly_weight_is_refused_inline_and_the_app_keeps_running(scenario_file):
    # before the fix: OverflowError (int(inf)) in the form's enter handler, the app exited with a traceback
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, SID)
        await _type(pilot, "hourly_profile", ", ".join(["1"] * 23 + ["inf"]))
        assert app.is_running and isinstance(app.screen, CompareScreen)
        assert "finite numbers >= 0" in _error(app, "hourly_profile")
        assert app.screen.session.entries[0].scenario.workload.hourly_profile is None  # unchanged
