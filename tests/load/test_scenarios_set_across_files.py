"""`--set` over several files: a path applies to every scenario that has it, in whichever file, and is refused only
when no file has it. Checked file by file, an option or scenario id of one file was refused because another lacked it."""

from __future__ import annotations

import pytest

from tco.cli import main
from tco.errors import TcoUserError
from tco.load.scenarios import load_scenario_files

FIRST = """\
id: first
workload: {requests_per_day: 1000, input_tokens: 100, output_tokens: 50}
options:
  - {kind: api, id: mini, provider: openai, model: gpt-4.1-mini}
"""
SECOND = """\
id: second
workload: {requests_per_day: 2000, input_tokens: 100, output_tokens: 50}
options:
  - {kind: api, id: mini, provider: openai, model: gpt-4.1-mini}
  - {kind: api, id: big, provider: openai, model: gpt-4.1}
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "first.yaml").write_text(FIRST)
    (tmp_path / "second.yaml").write_text(SECOND)
    return [tmp_path / "first.yaml", tmp_path / "second.yaml"]


def test_an_option_id_of_one_file_is_set_there(files):
    loaded = load_scenario_files(files, ["options.big.negotiated_discount=0.5"])
    [big] = [o for s in loaded.scenarios for o in s.options if o.id == "big"]
    assert big.negotiated_discount == 0.5
    assert [o.negotiated_discount for o in loaded.scenarios[0].options] == [0.0]


def test_a_scenario_id_of_one_file_sets_that_scenario_only(files):
    loaded = load_scenario_files(files, ["second.workload.requests_per_day=5"])
    assert [s.workload.requests_per_day for s in loaded.scenarios] == [1000, 5]


def test_a_path_no_file_has_is_refused_once_on_the_command_line(files):
    with pytest.raises(TcoUserError) as e:
        load_scenario_files(files, ["options.nope.negotiated_discount=0.5"])
    assert [p.render() for p in e.value.problems] == [
        "--set: options.nope.negotiated_discount: no scenario has this path (options are addressed by id: options.<id>.<field>)"]


def test_a_misspelt_field_after_a_scenario_id_is_still_named(files):
    with pytest.raises(TcoUserError) as e:
        load_scenario_files(files, ["second.workload.requests_per_dya=5"])
    [problem] = e.value.problems
    assert (problem.file, problem.field, problem.message) == ("--set", "second.workload.requests_per_dya", "unknown field")


def test_run_with_two_files_sets_the_option_of_the_file_that_has_it(files, capsys):
    assert main(["run", *map(str, files), "--no-breakeven", "--format", "json", "--as-of", "2026-11-27",
                 "--set", "options.big.negotiated_discount=0.5"]) == 0
    assert "big" in capsys.readouterr().out
