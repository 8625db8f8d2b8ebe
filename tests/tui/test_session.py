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
    cli = run_scenarios([path], today=dt.date(2026, 11, 27)).results
    ui = evaluate_scenario(cli.scenarios[0], cli.catalog, dt.date(2026, 11, 27), with_breakeven=False, curves={})
    assert ui.results.options["capability_verdict"].to_list() == cli.options["capability_verdict"].to_list()
    assert "qualifies" in ui.results.options["capability_verdict"].to_list()


def _line_of(path: Path, text: str) -> int:
    """1-based line of the first line containing `text` (found in the file, not counted by hand)."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _break_both_options(session) -> None:
    """An API model and a GPU the catalog does not know: valid to the scenario model, fatal to the rows."""
    import copy

    data = copy.deepcopy(session.entries[0].data)
    data["options"][0]["model"] = "gpt-4o-mimi"
    data["options"][1]["gpu"] = "h100-sxn"
    session.commit(0, data, session.validate(data))


def test_a_ui_evaluation_error_names_the_file_line_and_field_of_the_edited_scenario(scenario_file):
    from tco.errors import TcoUserError
    from tco.tui.session import evaluate_scenario

    session = open_session([scenario_file], TODAY)
    _break_both_options(session)
    with pytest.raises(TcoUserError) as e:
        evaluate_scenario(session.located([0]), session.catalog, TODAY, with_breakeven=False, curves={})
    rendered = [p.render() for p in e.value.problems]
    name = e.value.problems[0].file
    assert Path(name).resolve() == scenario_file.resolve()
    assert any(r.startswith(f"{name}:{_line_of(scenario_file, 'gpu: h100-sxm')}: options[1].gpu: ") for r in rendered), rendered
    assert any(r.startswith(f"{name}:{_line_of(scenario_file, 'model: gpt-4o-mini')}: options[0].model: ") for r in rendered), rendered


def test_the_ui_export_run_reports_every_problem_with_its_file_and_line(scenario_file):
    from tco.errors import TcoUserError

    session = open_session([scenario_file], TODAY)
    _break_both_options(session)
    with pytest.raises(TcoUserError) as e:
        session.run()
    assert sorted((p.line, p.field) for p in e.value.problems) == [
        (_line_of(scenario_file, "model: gpt-4o-mini"), "options[0].model"),
        (_line_of(scenario_file, "gpu: h100-sxm"), "options[1].gpu"),
    ]


def test_the_ui_export_run_is_the_cli_run_of_the_same_file(scenario_file):
    from tco.run import run_scenarios

    session = open_session([scenario_file], TODAY)
    ui, cli = session.run(), run_scenarios([scenario_file], today=TODAY)
    assert ui.results.options.equals(cli.results.options)
    assert ui.loaded.hashes == cli.loaded.hashes and ui.today == cli.today
