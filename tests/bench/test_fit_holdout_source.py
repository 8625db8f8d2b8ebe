"""`fit_throughput --holdout --source trtllm`: the hold-outs of the TensorRT-LLM tables alone, the rows the compute
shares of FITTED were fitted on (the full fit on both sources from round values is hours on this machine)."""

from __future__ import annotations

from tco.bench.fit_throughput import holdout_groups, main
from tco.load.hardware import load_hardware


def test_the_trtllm_holdouts_leave_out_each_of_its_gpus_and_families_and_nothing_of_the_second_source():
    catalog = load_hardware()
    every = holdout_groups(catalog)
    trtllm = holdout_groups(catalog, "trtllm")
    assert set(trtllm) < set(every)
    assert ("gpu", "mi355x") in every and ("family", "deepseek") in every
    assert ("gpu", "mi355x") not in trtllm and ("gpu", "gb300") not in trtllm and ("family", "deepseek") not in trtllm
    # the 13 groups of tco/bench/holdout_figures.py's HOLDOUT_ROWS
    from tco.bench.holdout_figures import HOLDOUT_ROWS
    assert sorted((r["group"].removeprefix("hold-out "), r["key"]) for r in HOLDOUT_ROWS) == trtllm


def test_source_is_refused_with_serving(capsys):
    assert main(["--serving", "--source", "trtllm"]) == 2
    assert "--source" in capsys.readouterr().err
