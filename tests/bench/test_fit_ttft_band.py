"""`fit_throughput --ttft-max-concurrency`: the fixed latencies are fitted on the TTFTs of lightly loaded rows only."""

from __future__ import annotations

from tco.bench.fit_throughput import FITTED, _all_errors
from tco.load.hardware import load_hardware


def test_ttft_is_scored_only_up_to_the_given_concurrency_while_throughput_and_tpot_keep_every_row():
    catalog = load_hardware()
    inferencex = [m for m in catalog.measurements if m.id.startswith("inferencex:")]
    # two rows at a few requests, two at thousands (README-inferencex.md: concurrency 1 to 16,384)
    light = [m for m in inferencex if m.concurrency <= 8][:2]
    heavy = [m for m in inferencex if m.concurrency > 1000][:2]
    rows = light + heavy
    out_all, tpot_all, ttft_all = _all_errors(catalog, rows, FITTED)
    out_cut, tpot_cut, ttft_cut = _all_errors(catalog, rows, FITTED, ttft_max_concurrency=8)
    assert len(ttft_all) == 4 and len(ttft_cut) == 2
    assert ttft_cut == ttft_all[:2]
    assert out_cut == out_all and tpot_cut == tpot_all
