"""Scenario files: one or many scenarios, overrides, and problems located in the user's file."""

from __future__ import annotations

import textwrap

import pytest

from tco.errors import TcoUserError
from tco.load.scenarios import load_scenario_files
from tco.run import run_scenarios

SINGLE = """\
id: tiny
workload:
  requests_per_day: 1000
  input_tokens: 100
  output_tokens: 50
options:
  - kind: api
    id: mini
    provider: openai
    model: gpt-4.1-mini
  - kind: self-hosted
    id: llama
    model: llama-3.1-8b
    gpu: l40s
    gpus_per_replica: 1
    payment: {mode: on-demand, gpu_usd_per_hour: 2.0}
"""


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_file_may_hold_a_single_scenario_at_the_top_level(tmp_path):
    loaded = load_scenario_files([write(tmp_path, SINGLE)])
    assert [s.id for s in loaded.scenarios] == ["tiny"]
    assert loaded.hashes and all(len(h) == 64 for h in loaded.hashes.values())


def test_an_override_changes_the_input_and_is_validated_like_the_file(tmp_path):
    path = write(tmp_path, SINGLE)
    loaded = load_scenario_files([path], ["workload.requests_per_day=2500", "options.llama.payment.gpu_usd_per_hour=3.5"])
    scenario = loaded.scenarios[0]
    assert scenario.workload.requests_per_day == 2500
    assert scenario.options[1].payment.gpu_usd_per_hour == 3.5
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([path], ["workload.requests_per_day=-5"])
    assert "s.yaml:3: workload.requests_per_day: must be greater than 0 (got -5)" in str(e.value)


def test_an_unknown_gpu_id_is_located_at_its_line_with_a_suggestion(tmp_path):
    path = write(tmp_path, SINGLE.replace("gpu: l40s", "gpu: l40-s"))
    with pytest.raises(TcoUserError) as e:
        run_scenarios([path])
    [problem] = e.value.problems
    assert (problem.line, problem.field) == (14, "options[1].gpu")
    assert problem.message == "unknown gpu id `l40-s`" and problem.hint == "did you mean `l40s`?"


def test_an_unknown_api_model_names_the_option_line(tmp_path):
    path = write(tmp_path, SINGLE.replace("model: gpt-4.1-mini", "model: gpt-4.1-mimi"))
    with pytest.raises(TcoUserError) as e:
        run_scenarios([path])
    [problem] = e.value.problems
    assert problem.field == "options[0].model" and problem.line == 10
    assert "gpt-4.1-mini" in problem.message + (problem.hint or "")


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    a = write(tmp_path, SINGLE.replace("input_tokens: 100", "input_tokens: -1"), "a.yaml")
    b = write(tmp_path, SINGLE.replace("output_tokens: 50", "output_tokns: 50"), "b.yaml")
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([a, b])
    rendered = [p.render() for p in e.value.problems]
    assert any(r.endswith("a.yaml:4: workload.input_tokens: must be at least 0 (got -1)") for r in rendered)
    assert any("b.yaml:5: workload.output_tokns: unknown field" in r for r in rendered)
    assert any("b.yaml:2: workload.output_tokens: required field is missing" in r for r in rendered)


def test_options_whose_ids_contain_dots_can_be_overridden_by_id(tmp_path):
    path = write(tmp_path, SINGLE.replace("id: llama", "id: llama-3.1-8b.l40s"))
    loaded = load_scenario_files([path], ["options.llama-3.1-8b.l40s.payment.gpu_usd_per_hour=4.25",
                                          "tiny.options.mini.negotiated_discount=0.1"])
    assert loaded.scenarios[0].options[1].payment.gpu_usd_per_hour == 4.25
    assert loaded.scenarios[0].options[0].negotiated_discount == 0.1


DISAGGREGATED = SINGLE.replace("model: llama-3.1-8b\n    gpu: l40s\n    gpus_per_replica: 1",
                               "model: deepseek-r1\n    gpu: gb200\n    gpus_per_replica: 8\n    precision: fp4\n    prefill_gpus: 2")


def test_prefill_gpus_alone_make_the_replica_disaggregated_and_must_leave_a_decode_side(tmp_path):
    option = load_scenario_files([write(tmp_path, DISAGGREGATED)]).scenarios[0].options[1]
    assert (option.disaggregated, option.prefill_gpus) == (True, 2)
    stated_false = DISAGGREGATED.replace("prefill_gpus: 2", "prefill_gpus: 2\n    disaggregated: false")
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([path := write(tmp_path, stated_false)])
    [problem] = e.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), 17, "options[1].prefill_gpus")  # its own line
    assert problem.message == "describes a disaggregated replica, but disaggregated is false"
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([write(tmp_path, DISAGGREGATED.replace("prefill_gpus: 2", "prefill_gpus: 8"))])
    assert e.value.problems[0].message == "must be fewer than gpus_per_replica (8): the decode side needs at least one GPU (got 8)"


def test_an_unknown_key_is_matched_against_the_fields_of_its_own_entry(tmp_path):
    # `source` is a field of API price sheets' entries, not of a self-hosted option: it is not offered back as its own
    # correction; a typo is matched against the self-hosted option's own fields.
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([write(tmp_path, SINGLE.replace("gpus_per_replica: 1", "gpus_per_replica: 1\n    source: my notes"))])
    [problem] = e.value.problems
    assert problem.field == "options[1].source" and problem.message == "unknown field"
    assert problem.hint == "`source` is a field of another kind of entry, not of this one"
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([write(tmp_path, SINGLE.replace("gpus_per_replica: 1", "gpus_per_replca: 1"))])
    assert [p.hint for p in e.value.problems if p.message == "unknown field"] == ["did you mean `gpus_per_replica`?"]


@pytest.mark.parametrize("kind", ["[api]", "{name: api}"], ids=["a list", "a mapping"])
def test_an_option_kind_that_is_no_text_is_a_located_problem_not_a_traceback(tmp_path, kind):
    """The renamed-field check looked the kind up in a dict: a list raised TypeError (unhashable), a traceback."""
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(f"""\
        scenarios:
        - id: chat
          workload: {{requests_per_day: 20000, input_tokens: 1500, output_tokens: 300}}
          options:
          - kind: {kind}
            id: gpt
            provider: openai
            model: gpt-4.1-mini
        """))
    with pytest.raises(TcoUserError) as stop:
        load_scenario_files([path])
    assert f"{path}:5: scenarios[0].options[0]:" in str(stop.value) and "is not a known 'kind'" in str(stop.value)


def test_an_option_set_by_its_index_in_brackets_is_set(tmp_path):
    """`--set options[1].model=...` is how the error messages write a place; it was read as a key named `options[1]`
    and refused as an unknown field of the file ("did you mean `options`?")."""
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        scenarios:
        - id: chat
          workload: {requests_per_day: 20000, input_tokens: 1500, output_tokens: 300}
          options:
          - {kind: api, id: gpt, provider: openai, model: gpt-4.1-mini}
          - {kind: api, id: haiku, provider: anthropic, model: claude-haiku-4-5}
        """))
    by_index = load_scenario_files([path], overrides=["options[1].model=claude-sonnet-4-5"]).scenarios[0]
    by_id = load_scenario_files([path], overrides=["options.haiku.model=claude-sonnet-4-5"]).scenarios[0]
    assert by_index.options[1].model == by_id.options[1].model == "claude-sonnet-4-5"
    assert by_index.options[0].model == "gpt-4.1-mini"


def test_a_negative_reserved_base_is_refused_at_its_line(tmp_path):
    """Output hunt: `payment.base.replicas: -2` passed validation and ran as no base, the whole fleet on bursts."""
    from tco.errors import TcoUserError
    from tco.paths import examples_dir

    text = (examples_dir() / "commitments.yaml").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "base: {" in row and "replicas:" in row)
    path = tmp_path / "negative.yaml"
    path.write_text(text.replace(text.splitlines()[line - 1], text.splitlines()[line - 1].replace(
        text.splitlines()[line - 1].split("replicas:")[1].split("}")[0], " -2"), 1), encoding="utf-8")
    with pytest.raises(TcoUserError) as e:
        load_scenario_files([path])
    [problem] = e.value.problems
    assert (problem.line, problem.field) == (line, "scenarios[0].options[3].payment.base.replicas")
    assert problem.message.startswith("must be 0 or more replicas, or auto")
