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


def test_a_mistyped_scenario_id_is_one_set_problem_with_the_corrected_set(files, capsys):
    """`--set frist.workload.requests_per_day=5` was read as a field `frist` of every scenario: one "unknown field"
    per scenario (300 lines for a file of 300), each at a file line that was right."""
    with pytest.raises(TcoUserError) as caught:
        load_scenario_files(files, ["frist.workload.requests_per_day=5"])
    [problem] = caught.value.problems
    assert (problem.file, problem.field) == ("--set", "frist.workload.requests_per_day")
    assert problem.hint == "did you mean `--set first.workload.requests_per_day=5`?"


def test_an_id_a_set_wrote_that_the_catalog_lacks_names_the_set(files, capsys):
    """An unknown GPU, offer or model id written by `--set` was reported at the file's line, which still holds the
    valid value it replaced, without a word of the command line."""
    code = main(["run", *map(str, files), "--set", "second.options.big.model=gpt-9"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "second.yaml:5: options[1].model" in err and "the value comes from --set second.options.big.model=gpt-9" in err


def test_set_of_the_other_volume_key_replaces_the_files_volume(files):
    """A workload gives exactly one of requests_per_day and requests_per_month: `--set workload.requests_per_month=...`
    on a file written per day was refused ("give exactly one"), so a batch mixing both kinds of file could not have its
    volume set or swept."""
    loaded = load_scenario_files(files, ["workload.requests_per_month=30000"])
    assert [(s.workload.requests_per_month, s.workload.requests_per_day) for s in loaded.scenarios] == [(30000, None)] * 2
    again = load_scenario_files(files, ["workload.requests_per_month=30000", "first.workload.requests_per_day=7"])
    assert [(s.workload.requests_per_month, s.workload.requests_per_day) for s in again.scenarios] == [(None, 7), (30000, None)]


def test_diff_takes_a_set_on_a_scenario_only_the_new_version_has(tmp_path, capsys):
    """`tco diff OLD NEW --set SCENARIO.path=...` on a scenario NEW added failed on OLD ("unknown field"), where the same
    on an option NEW added worked: such a --set belongs to the version that has it. `second` at 500 requests a day
    costs a quarter of its 2,000 (gpt-4.1-mini: $131 over the year for `first`'s 1,000 a day, so $66)."""
    def listed(*texts):
        return "scenarios:\n" + "".join("  - " + text.replace("\n", "\n    ").rstrip() + "\n" for text in texts)

    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(listed(FIRST))
    new.write_text(listed(FIRST, SECOND))
    assert main(["diff", str(old), str(new), "--set", "second.workload.requests_per_day=500"]) == 0
    out = capsys.readouterr().out
    assert "cheapest: mini, $131 -> $131" in out and "+ mini (api): added, total $66" in out


def test_a_file_named_twice_is_read_once(files):
    """Overlapping globs (`tco run *.yaml ./*.yaml`) name a file twice: it was refused as holding its own scenario ids
    twice ("already used in" itself)."""
    again = files[0].parent / "." / files[0].name
    loaded = load_scenario_files([files[0], files[1], again, files[0]])
    assert [s.id for s in loaded.scenarios] == ["first", "second"] and loaded.files == files


def test_both_volume_keys_set_for_the_same_scenarios_are_refused(files):
    """Bug hunt: `--set workload.requests_per_month=30000 --set workload.requests_per_day=1000` ran at 1,000 a day
    (the later one replaced the other) and a sweep's rows showed the month's value as if it took effect."""
    from tco.errors import TcoUserError

    with pytest.raises(TcoUserError, match="give one of requests_per_day or requests_per_month, not both"):
        load_scenario_files(files, ["workload.requests_per_month=30000", "workload.requests_per_day=1000"])
