"""The UI's document model without a terminal: edits validated by the scenario model, saving with a backup."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import TODAY  # noqa: E402

from tco.tui.session import EditRejected, open_session  # noqa: E402


def test_an_edit_is_validated_by_the_scenario_model_and_names_the_field(scenario_file):
    session = open_session([scenario_file], TODAY)
    with pytest.raises(EditRejected, match=r"workload.monthly_growth: must be at most 2"):
        session.validate(session.propose_value(0, ("workload", "monthly_growth"), "5"))
    data = session.propose_value(0, ("finance", "start_date"), "2027-01-01")
    assert str(session.validate(data).finance.start_date) == "2027-01-01"
    cleared = session.propose_value(0, ("workload", "peak_to_average"), "")
    assert session.validate(cleared).workload.peak_to_average == 1.0  # an emptied field falls back to the model default


def test_saving_a_single_scenario_file_keeps_its_shape_and_a_backup(scenario_file):
    original = scenario_file.read_text()
    session = open_session([scenario_file], TODAY)
    data = session.propose_value(0, ("workload", "input_tokens"), "1800")
    session.commit(0, data, session.validate(data))
    saved = session.save(0)
    assert saved.path == scenario_file and saved.backup.read_text() == original
    written = yaml.safe_load(scenario_file.read_text())
    assert "scenarios" not in written and written["id"] == "tui-support"
    assert written["workload"]["input_tokens"] == 1800
    assert written["options"][1]["payment"]["gpu_usd_per_hour"] == 3.0
    assert not session.dirty


def test_a_bundled_example_is_saved_as_a_copy_in_the_current_folder(tmp_path, monkeypatch):
    from tco.run import example_files

    monkeypatch.chdir(tmp_path)
    first = example_files()[0]
    before = first.read_bytes()
    session = open_session([first], TODAY)
    data = session.propose_value(0, ("workload", "input_tokens"), "1234")
    session.commit(0, data, session.validate(data))
    saved = session.save(0)
    assert saved.path == tmp_path / first.name and saved.redirected_from == first
    assert first.read_bytes() == before
    assert yaml.safe_load(saved.path.read_text())["scenarios"][0]["workload"]["input_tokens"] == 1234


def test_the_ui_evaluation_carries_the_capability_verdicts_of_the_cli():
    import datetime as dt

    from tco.run import example_files, run_scenarios
    from tco.tui.session import evaluate_scenario

    path = next(p for p in example_files() if p.stem == "coding-agent")
    cli = run_scenarios([path], today=dt.date(2026, 11, 27))
    ui = evaluate_scenario(cli.scenarios[0], cli.catalog, dt.date(2026, 11, 27), with_breakeven=False, curves={})
    assert ui.results.options["capability_verdict"].to_list() == cli.options["capability_verdict"].to_list()
    assert "qualifies" in ui.results.options["capability_verdict"].to_list()
