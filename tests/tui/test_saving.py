"""What Save writes: the totals the UI showed, numbers as numbers, and the original file kept in a backup.

Audit findings: an edit of an option sharing a YAML anchor changed the other option in the saved
file; `1e3` was saved as the quoted text '1e3'; after six saves in one session no backup held the
file as it was opened.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from textual.widgets import DataTable, Input

from tco.files import KEEP_BACKUPS, backups_of
from tco.run import run_scenarios
from tco.tui.app import TcoApp
from tco.tui.screens.compare import CompareScreen
from tco.tui.screens.option_editor import OptionEditorScreen
from tco.tui.session import open_session

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import DATA, TODAY, settled, wait_for  # noqa: E402

ANCHORED = "customer-support"
"""The scenario of tests/tui/data/anchor.yaml: llama-3.3-70b-h100-lambda and llama-b share `operations: &ops`."""


def _totals(path: Path) -> dict[str, float]:
    frame = run_scenarios([path], today=TODAY).results.options.filter(pl.col("scenario") == ANCHORED)
    return dict(zip(frame["option"].to_list(), frame["total_cost_usd"].to_list()))


@pytest.mark.anyio
async def test_editing_an_option_that_shares_an_anchor_saves_the_totals_the_ui_showed(tmp_path):
    path = tmp_path / "anchor.yaml"
    shutil.copy(DATA / "anchor.yaml", path)
    app = TcoApp([path], today=TODAY, deterministic=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: settled(app, ANCHORED), what="opened")
        table = app.screen.query_one("#costs", DataTable)
        table.focus()
        table.cursor_coordinate = (table.get_row_index("llama-b"), 0)
        await pilot.pause()
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, OptionEditorScreen), what="editor open")
        app.screen.query_one("#opt-operations-staff_fte", Input).value = "3"
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.session.dirty
                       and settled(app, ANCHORED), what="edit applied")
        ev = app.screen.evaluations[ANCHORED]
        shown = dict(zip(ev.results.options["option"].to_list(), ev.results.options["total_cost_usd"].to_list()))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.screen.session.dirty, what="saved")
    assert shown["llama-b"] != pytest.approx(shown["llama-3.3-70b-h100-lambda"])  # the edit mattered
    assert _totals(path) == pytest.approx(shown, rel=1e-12)  # before: the untouched option got 3 FTE too
    options = yaml.safe_load(path.read_text())["scenarios"][0]["options"]
    assert options[3]["operations"]["staff_fte"] == 0.5 and options[4]["operations"]["staff_fte"] == 3


@pytest.mark.parametrize("field, text, written", [
    (("workload", "requests_per_day"), "1e3", "requests_per_day: 1000.0\n"),
    (("workload", "monthly_growth"), "1e-3", "monthly_growth: 0.001\n"),
    (("workload", "input_tokens"), "1.5e3", "input_tokens: 1500\n"),  # a whole-number field: an int
    (("workload", "requests_per_day"), "2e4", "requests_per_day: 20000\n"),  # the value it had: written as it was
])
def test_a_number_typed_in_exponent_form_is_saved_as_a_number(scenario_file, field, text, written):
    session = open_session([scenario_file], today=TODAY)
    data = session.propose_value(0, field, text)
    session.commit(0, data, session.validate(data))
    session.save(0)
    saved = scenario_file.read_text()
    assert written in saved  # before: `requests_per_day: 1e3`, which YAML 1.1 reads back as text
    value = yaml.safe_load(saved)[field[0]][field[1]]
    assert isinstance(value, (int, float)) and value == float(text)


def test_after_many_saves_the_file_as_it_was_opened_is_still_in_a_backup(scenario_file):
    original = scenario_file.read_text()
    session = open_session([scenario_file], today=TODAY)
    saves = []
    for n in range(KEEP_BACKUPS + 2):
        data = session.propose_value(0, ("workload", "requests_per_day"), str(41000 + n))
        session.commit(0, data, session.validate(data))
        saves.append(session.save(0))
    first = saves[0].backup
    assert first.read_text() == original  # what the first save's message named is still there
    assert all(s.original == first for s in saves)
    assert any(b.read_text() == original for b in backups_of(scenario_file))
    assert len(backups_of(scenario_file)) == KEEP_BACKUPS + 1  # the newest five, plus the session's first


# ---------------------------------------------------------------- bug hunt: renames, Save as onto an open file, backup names
def _commented(path: Path, old_spelling: bool = False) -> Path:
    """support.yaml with end-of-line ASSUMPTION notes inside llama-70b, as users write them."""
    text = path.read_text().replace("    replica_output_tokens_per_s: 3000\n",
                                    "    replica_output_tokens_per_s: 3000   # ASSUMPTION: measured on our bench\n")
    text = text.replace("      gpu_usd_per_hour: 3.0\n", ("      usd_per_gpu_hour" if old_spelling else "      gpu_usd_per_hour")
                        + ": 3.0   # ASSUMPTION: negotiated rate\n")
    path.write_text(text)
    return path


def test_renaming_an_option_keeps_the_comments_inside_it(scenario_file):
    original = _commented(scenario_file).read_text()
    session = open_session([scenario_file], today=TODAY)
    option = session.option_data(0, "llama-70b") | {"id": "llama-70b-h100"}
    session.commit(0, *session.replace_option(0, "llama-70b", option))
    saved = session.save(0)
    # before: both notes were deleted while the message said "Comments kept."
    assert scenario_file.read_text() == original.replace("id: llama-70b\n", "id: llama-70b-h100\n")
    assert saved.comments_kept and saved.comments_dropped == ()


def test_a_save_that_drops_comments_names_them(scenario_file):
    _commented(scenario_file)
    session = open_session([scenario_file], today=TODAY)
    session.commit(0, *session.delete_option(0, "llama-70b"))
    saved = session.save(0)
    assert saved.comments_dropped == ("# ASSUMPTION: measured on our bench", "# ASSUMPTION: negotiated rate")


def test_an_older_key_spelling_keeps_its_comment_when_another_field_is_saved(scenario_file):
    original = _commented(scenario_file, old_spelling=True).read_text()
    session = open_session([scenario_file], today=TODAY)
    data = session.propose_value(0, ("workload", "input_tokens"), "1600")
    session.commit(0, data, session.validate(data))
    session.save(0)
    # today's name on the same line, the note kept (before: `gpu_usd_per_hour: 3.0` bare, the note gone)
    assert scenario_file.read_text() == original.replace("input_tokens: 1500", "input_tokens: 1600").replace(
        "usd_per_gpu_hour:", "gpu_usd_per_hour:")


def test_save_as_onto_another_open_file_is_refused_naming_it_and_its_scenarios(scenario_file, tmp_path):
    from tco.errors import TcoUserError

    other = tmp_path / "other.yaml"
    other.write_text(scenario_file.read_text().replace("id: tui-support", "id: other-support"))
    before = other.read_text()
    session = open_session([scenario_file, other], today=TODAY)
    refusal = session.save_refusal(0, other)
    assert refusal is not None and str(other) in refusal and "other-support" in refusal
    assert session.save_refusal(0, scenario_file) is None and session.save_refusal(0, tmp_path / "new.yaml") is None
    with pytest.raises(TcoUserError, match="is open in this session"):
        session.save(0, other)
    assert other.read_text() == before


def test_the_replace_question_names_the_backup_that_will_be_made(scenario_file, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("x: 1\n")
    session = open_session([scenario_file], today=TODAY)
    assert "kept as other.yaml.bak)" in session.overwrite_question(0, other)
    (tmp_path / "other.yaml.bak").write_text("older\n")
    # tco.files then keeps it as other.yaml.<YYYYmmdd-HHMMSS>.bak; before, the question still said other.yaml.bak
    assert "kept as other.yaml.<date-time>.bak, beside the older other.yaml.bak)" in session.overwrite_question(0, other)


def test_a_workbook_may_not_replace_a_file_saved_as_in_this_session(scenario_file, tmp_path):
    session = open_session([scenario_file], today=TODAY)
    session.save(0, tmp_path / "renamed.yaml")
    assert {scenario_file, tmp_path / "renamed.yaml"} <= set(session.files_not_to_export_over())
