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


def _problems_of(session) -> list:
    from tco.errors import TcoUserError
    from tco.tui.session import evaluate_scenario

    with pytest.raises(TcoUserError) as e:
        evaluate_scenario(session.located([0]), session.catalog, TODAY, with_breakeven=False, curves={})
    return e.value.problems


def test_after_a_delete_or_a_copy_a_problem_names_the_option_where_the_file_has_it_and_after_saving_the_saved_line(scenario_file):
    """The line index is the file's: an option moved up by a delete keeps its line and index in the file until the
    file is saved; a copy the file does not have yet has no line; after the save, the saved file's lines."""
    import copy

    from tco.tui.screens.compare import warning_text

    session = open_session([scenario_file], TODAY)
    gpu_line = _line_of(scenario_file, "gpu: h100-sxm")
    data, scenario = session.delete_option(0, "gpt-4o-mini")
    session.commit(0, data, scenario)
    data, scenario, copy_id = session.duplicate_option(0, "llama-70b")
    data["options"][1]["gpu"] = "h100-sxn"  # the copy, now options[1] in the list and in no line of the file
    session.commit(0, data, session.validate(data))
    [problem] = _problems_of(session)
    assert (problem.line, problem.field) == (None, f"options[`{copy_id}`, not in the file yet].gpu")
    assert warning_text(problem, session.entries[0]).startswith(f"  {copy_id}.gpu: ")

    session.commit(0, *session.delete_option(0, copy_id))
    data = copy.deepcopy(session.entries[0].data)
    data["options"][0]["gpu"] = "h100-sxn"  # the original: options[0] in the list, options[1] at its line on disk
    session.commit(0, data, session.validate(data))
    [problem] = _problems_of(session)
    assert (problem.line, problem.field) == (gpu_line, "options[1].gpu")
    assert warning_text(problem, session.entries[0]).startswith("  llama-70b.gpu: ")

    session.save(0)
    [problem] = _problems_of(session)
    assert (problem.line, problem.field) == (_line_of(scenario_file, "gpu: h100-sxn"), "options[0].gpu")
    assert _line_of(scenario_file, "gpu: h100-sxn") < gpu_line  # the saved file has one option fewer above it


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


def test_the_workbook_of_an_edited_file_does_not_give_the_hash_of_the_file_read_as_what_was_computed(scenario_file, tmp_path):
    """About sheet: "scenario file / sha256" is the record of what a workbook computed; unsaved edits are not in it."""
    import hashlib

    session = open_session([scenario_file], TODAY)
    [name] = session.run().loaded.hashes
    data = session.propose_value(0, ("workload", "input_tokens"), "1800")
    session.commit(0, data, session.validate(data))
    assert session.run().loaded.hashes[name].startswith("edited in the terminal UI and not saved")
    saved = session.save(0, tmp_path / "saved.yaml")
    hashes = session.run().loaded.hashes
    assert list(hashes.values()) == [hashlib.sha256(saved.path.read_bytes()).hexdigest()]
    assert Path(next(iter(hashes))).resolve() == saved.path.resolve()


# ---------------------------------------------------------------- comments kept on save (ruamel.yaml round trip)
def test_every_bundled_example_is_written_back_byte_for_byte_when_nothing_changed():
    from tco.load.roundtrip import updated_text
    from tco.run import example_files

    for path in example_files():
        text = path.read_text()
        assert updated_text(text, yaml.safe_load(text)) == text, path.name


def test_saving_keeps_comments_and_assumption_markers_through_edits_deletes_and_copies(scenario_file):
    text = scenario_file.read_text()
    text = text.replace("  monthly_growth: 0.03\n", "  monthly_growth: 0.03  # ASSUMPTION: 3 % a month\n")
    text = text.replace("    gpu: h100-sxm\n", "    # ASSUMPTION: the GPUs we already rent\n    gpu: h100-sxm\n")
    scenario_file.write_text(text)
    session = open_session([scenario_file], TODAY)
    data = session.propose_value(0, ("workload", "monthly_growth"), "0.05")
    session.commit(0, data, session.validate(data))
    data, scenario, copy_id = session.duplicate_option(0, "llama-70b")
    session.commit(0, data, scenario)
    data, scenario = session.delete_option(0, "gpt-4o-mini")
    session.commit(0, data, scenario)
    session.save(0)
    written = scenario_file.read_text()
    # the edited value keeps its line comment; the untouched option keeps its comment line
    assert "  monthly_growth: 0.05  # ASSUMPTION: 3 % a month\n" in written
    assert "    # ASSUMPTION: the GPUs we already rent\n    gpu: h100-sxm\n" in written
    assert written.startswith("# A small fixed scenario for the TUI tests")
    assert "gpt-4o-mini" not in written
    reread = yaml.safe_load(written)
    assert [o["id"] for o in reread["options"]] == ["llama-70b", copy_id]
    assert reread["options"][0] == {**reread["options"][1], "id": "llama-70b"}


def test_an_option_used_by_a_hybrid_cannot_be_deleted(scenario_file):
    from tco.tui.session import EditRejected

    data = yaml.safe_load(scenario_file.read_text())
    data["options"].append({"kind": "hybrid", "id": "mix", "self_hosted": "llama-70b", "api": "gpt-4o-mini",
                            "mode": "share", "self_hosted_share": 0.5})
    scenario_file.write_text(yaml.safe_dump(data, sort_keys=False))
    session = open_session([scenario_file], TODAY)
    with pytest.raises(EditRejected, match="hybrid option mix uses llama-70b"):
        session.delete_option(0, "llama-70b")


def test_save_asks_before_replacing_another_file_or_one_changed_on_disk(scenario_file, tmp_path):
    session = open_session([scenario_file], TODAY)
    assert session.overwrite_question(0, scenario_file) is None  # the file being edited, unchanged on disk
    assert session.overwrite_question(0, tmp_path / "new.yaml") is None
    (tmp_path / "other.yaml").write_text("x: 1\n")
    assert "already exists" in session.overwrite_question(0, tmp_path / "other.yaml")
    scenario_file.write_text(scenario_file.read_text() + "# someone else\n")
    assert "changed on disk" in session.overwrite_question(0, scenario_file)


# ---------------------------------------------------------------- the option editor's rules
def test_the_option_editor_offers_every_field_of_the_field_map_for_each_kind():
    from tco.engine.fields import SCOPE_OF_KIND, fields_of
    from tco.tui.option_fields import rows_for

    for kind, scope in SCOPE_OF_KIND.items():
        paths = {r.path for r in rows_for(kind)}
        assert {f.path for f in fields_of(scope)} <= paths, kind
        assert ("id",) in paths and ("note",) in paths


def test_an_edited_option_keeps_unchanged_values_as_written_and_drops_emptied_ones():
    from tco.tui.option_fields import edited_option

    original = {"kind": "self-hosted", "id": "a", "model": "m", "gpu": "g", "gpus_per_replica": 2,
                "payment": {"mode": "on-demand", "gpu_usd_per_hour": 3.0}, "operations": {"staff_fte": 0.25}}
    texts = {("gpus_per_replica",): "2", ("payment", "gpu_usd_per_hour"): "2.5", ("operations", "staff_fte"): "",
             ("spare_replicas",): "1", ("precision",): ""}
    assert edited_option(original, texts) == {
        "kind": "self-hosted", "id": "a", "model": "m", "gpu": "g", "gpus_per_replica": 2,
        "payment": {"mode": "on-demand", "gpu_usd_per_hour": 2.5}, "spare_replicas": 1}


# ---------------------------------------------------------------- `never`
def test_a_break_even_that_never_happens_reads_never_as_in_tco_run():
    from tco.tui.widgets.cost_table import format_cell

    never = {"kind": "self-hosted", "breakeven_requests_per_day": None, "breakeven_reference_option": "gpt-4o-mini"}
    assert format_cell("breakeven_requests_per_day", never) == "never"
    no_reference = {**never, "breakeven_reference_option": None}
    assert format_cell("breakeven_requests_per_day", no_reference) == ""
    api = {"kind": "api", "breakeven_requests_per_day": None, "breakeven_reference_option": None}
    assert format_cell("breakeven_requests_per_day", api) == ""
    assert format_cell("breakeven_requests_per_day", never, breakeven_pending=True) == "…"


def test_a_break_even_month_that_never_comes_reads_never_as_in_tco_run():
    from tco.tui.widgets.cost_table import format_cell

    never = {"kind": "self-hosted", "breakeven_month": None, "breakeven_reference_option": "gpt-4o-mini"}
    assert format_cell("breakeven_month", never) == "never"
    assert format_cell("breakeven_month", {**never, "breakeven_month": 7}) == "7"
    assert format_cell("breakeven_month", {**never, "breakeven_reference_option": None}) == ""
    assert format_cell("breakeven_month", {**never, "kind": "api"}) == ""


def test_the_explain_view_shows_a_cost_per_request_under_a_cent_with_the_digits_of_tco_explain(scenario_file):
    """Audit: the view rounded to whole cents, so a $0.000608538 request read $0.00."""
    import polars as pl

    from tco.commands.explain import _number
    from tco.run import run_scenarios
    from tco.tui.explain_text import explain_cell

    results = run_scenarios([scenario_file], today=TODAY).results
    for option in results.options["option"].to_list():
        value = results.options.filter(pl.col("option") == option)["cost_per_request_usd"].item()
        assert 0 < value < 0.01  # under a cent: the case the audit found
        assert f"  = ${_number(value)}\n" in explain_cell(results, option, "cost_per_request_usd")  # six significant digits


def test_an_api_option_moved_to_a_provider_the_file_did_not_name_is_priced_as_tco_run_prices_it(scenario_file):
    # The session reads only the price sheets of the providers its file names (openai here), as
    # `tco run` does. Before the fix, moving the option to anthropic in the option editor was
    # refused at evaluation with "unknown API provider `anthropic` (did you mean `anthropic`?)",
    # although `tco run` prices the same saved file from the bundled anthropic sheet.
    from tco.tui.session import evaluate_scenario
    from tui_helpers import engine_totals

    session = open_session([scenario_file], TODAY)
    assert "anthropic" not in session.catalog.providers
    option = session.option_data(0, "gpt-4o-mini") | {"provider": "anthropic", "model": "claude-haiku-4-5"}
    data, scenario = session.replace_option(0, "gpt-4o-mini", option)
    session.commit(0, data, scenario)
    ev = evaluate_scenario(session.located([0]), session.catalog, session.today)
    shown = dict(zip(ev.results.options["option"].to_list(), ev.results.options["total_cost_usd"].to_list()))
    expected = engine_totals(scenario_file, ["options.gpt-4o-mini.provider=anthropic", "options.gpt-4o-mini.model=claude-haiku-4-5"])
    assert shown == pytest.approx(expected, rel=1e-12)
    assert expected["gpt-4o-mini"] != pytest.approx(engine_totals(scenario_file)["gpt-4o-mini"])  # the edit mattered


@pytest.mark.parametrize("field, value, message", [
    ("model", "llama-9-70b", r"model: unknown model id `llama-9-70b`"),
    ("gpu", "h999", r"gpu: unknown gpu id `h999`"),
])
def test_an_option_the_catalog_cannot_build_is_refused_by_the_editor_naming_the_field(scenario_file, field, value, message):
    # Before the fix the editor accepted it, closed, and the only trace was a one-line status
    # ("Not recomputed: …support.yaml:20: scenarios[0].options[1].model:") cut at the screen's edge,
    # over the old totals.
    session = open_session([scenario_file], TODAY)
    option = session.option_data(0, "llama-70b") | {field: value}
    with pytest.raises(EditRejected, match=message):
        session.replace_option(0, "llama-70b", option)
    with pytest.raises(EditRejected, match=message):
        session.add_option(0, option | {"id": "llama-70b-2"})
    assert not session.dirty


def test_the_explanation_of_committed_api_capacity_speaks_of_units_not_gpus():
    # An api-provisioned option (Azure PTUs in the commitments example) is costed as a reserved fleet whose replica
    # is one unit; its explanation listed "gpu_usd_per_hour = 0.3027 USD per GPU-hour — price per GPU-hour" and
    # "GPUs: reserved terms". The workbook's Inputs sheet already says units (PROVISIONED_LABELS): so must the UI.
    import re

    from tco.engine.fields import PROVISIONED_LABELS
    from tco.run import example_files, run_scenarios
    from tco.tui.explain_text import explain_cell

    results = run_scenarios([f for f in example_files() if f.stem == "commitments"], today=TODAY).results
    kinds = dict(zip(results.options["option"].to_list(), results.options["kind"].to_list()))
    committed = next(o for o, k in kinds.items() if k == "api-provisioned")
    text = explain_cell(results, committed, "total_cost_usd")
    inputs = text.split("Inputs (value, unit, source, date):")[1]
    assert re.search(r"\n  gpu_usd_per_hour = [\d.,]+ USD per unit-hour — price per unit-hour\.", inputs)
    for name, (label, unit) in PROVISIONED_LABELS.items():
        if f"\n  {name} = " in inputs:
            assert re.search(rf"\n  {name} = [-\d.,e+]+ {re.escape(unit)} — {re.escape(label)}\.", inputs), name
    lines = text.split("Cost lines over the horizon:")[1].split("\n\n")[0]
    assert "provisioned units: reserved terms" in lines and "GPUs:" not in lines
    assert "unit-weighted" in explain_cell(results, committed, "utilization_average")
    # the named parts (and the labels inside their formulas) said "GPUs: reserved terms (spread over each term)",
    # "GPU terms first signed 0 term(s) ago", "GPUs per rented instance", "price per GPU-hour" (audit, fix-explain)
    for column in ("total_cost_usd", "gpus_peak", "utilization_average"):
        where = explain_cell(results, committed, column).split("Where (month-dependent parts are shown as formulas):")[1]
        where = where.split("\n\nInputs")[0]
        assert "GPU" not in where, column
    where = text.split("Where (month-dependent parts are shown as formulas):")[1]
    assert "\n  provisioned units: reserved terms (spread over each term) = " in where
    assert "× price per unit-hour [= " in where
    # a self-hosted option of the same file still speaks of GPUs, in its inputs and in its parts
    hosted = next(o for o, k in kinds.items() if k == "self-hosted")
    hosted_text = explain_cell(results, hosted, "total_cost_usd")
    assert re.search(r"\n  gpu_usd_per_hour = [\d.,]+ USD per GPU-hour — ", hosted_text)
    assert "\n  GPUs: rental = (((GPU-hours the fleet runs this month" in hosted_text.split("Where (month-dependent parts")[1]


def test_the_explanation_of_an_option_lists_its_notes_as_tco_run_gives_them():
    # The notes (`notes` of `tco run --format json`: a time-of-day price, whole 8-GPU instances, the throughput
    # model's error) showed only as the alphabetically first note of the scenario, cut at the status line's edge.
    from tco.report.results import result_records
    from tco.run import example_files, run_scenarios
    from tco.tui.explain_text import explain_cell

    results = run_scenarios([f for f in example_files() if f.stem == "coding-agent"], today=TODAY).results
    noted = [r for r in result_records(results) if r["notes"]]
    assert len(noted) >= 2  # the example still has notes (else this test proves nothing)
    for rec in noted:
        text = explain_cell(results, rec["option"], "total_cost_usd")
        for note in rec["notes"].split("; ") if isinstance(rec["notes"], str) else rec["notes"]:
            assert note in text, (rec["option"], note)


def test_a_file_with_an_older_key_spelling_can_be_edited_and_is_saved_with_todays_name(scenario_file):
    # `usd_per_gpu_hour` is the older spelling of payment.gpu_usd_per_hour (tco/engine/fields.py old_names): `tco run`
    # reads it with a warning. The UI kept the file's own data, so every edit, of any field, was refused with
    # "options[1].payment.usd_per_gpu_hour: unknown field".
    from tco.tui.session import evaluate_scenario
    from tui_helpers import engine_totals

    scenario_file.write_text(scenario_file.read_text().replace("gpu_usd_per_hour: 3.0", "usd_per_gpu_hour: 3.0"))
    session = open_session([scenario_file], TODAY)
    data = session.propose_value(0, ("workload", "input_tokens"), "1600")
    session.commit(0, data, session.validate(data))
    ev = evaluate_scenario(session.located([0]), session.catalog, session.today)
    shown = dict(zip(ev.results.options["option"].to_list(), ev.results.options["total_cost_usd"].to_list()))
    assert shown == pytest.approx(engine_totals(scenario_file, ["workload.input_tokens=1600"]), rel=1e-12)
    session.save(0)
    saved = yaml.safe_load(scenario_file.read_text())
    assert saved["options"][1]["payment"] == {"mode": "on-demand", "gpu_usd_per_hour": 3.0}  # today's name, the value kept
    assert engine_totals(scenario_file) == pytest.approx(shown, rel=1e-12)


def test_the_explanation_of_the_gpus_column_is_the_busiest_hours_fleet_the_column_shows():
    # It named "GPUs paid for (average over the month)", whose largest month is 19.67 for the commitments example's
    # mixed fleet, while the column (the engine's gpus_peak: the largest gpus_busiest_hour) shows 32 (bug hunt 2, F2).
    from tco.run import example_files, run_scenarios
    from tco.tui.explain_text import explain_cell

    results = run_scenarios([f for f in example_files() if f.stem == "commitments"], today=TODAY).results
    row = results.options.filter(results.options["option"] == "reserved-base-bursts").row(0, named=True)
    text = explain_cell(results, "reserved-base-bursts", "gpus_peak")
    assert "GPUs (peak) = the largest over the months of: GPUs paid in the busiest hour = " in text
    assert f"\n  = {row['gpus_peak']:,.4g}\n" in text and row["gpus_peak"] > row["gpus_average"]
