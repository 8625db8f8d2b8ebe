"""`tco bench decode`: the summary printed is the one the records give, on the rows the option selects."""

from __future__ import annotations

import contextlib
import io
import json
import statistics

import pytest

from tco.bench.decode_at_measured_batch import decode_rows
from tco.cli import main
from tco.load.hardware import load_hardware


pytestmark = pytest.mark.xdist_group("bench-decode")  # one worker computes the module's model runs once


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


@pytest.fixture(scope="module")
def records_from_1(catalog):
    """The records of every row (the model run on each InferenceX row: seconds; computed once for the module)."""
    return decode_rows(catalog, 1)


@pytest.fixture(scope="module")
def records_from_65(records_from_1):
    """The records at 65 requests or more: `decode_rows` keeps a row by its concurrency alone, so they are those of
    `records_from_1` at 65 or more (`tco bench decode --min-concurrency 65` computes them on its own)."""
    return [r for r in records_from_1 if r["concurrency"] >= 65]


def printed(*argv: str):
    """What `tco <argv>` prints as JSON (it must exit 0)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def rows_from_1():
    """`tco bench decode --rows --min-concurrency 1` by row id, run once for the tests that read it."""
    return {r["id"]: r for r in printed("bench", "decode", "--rows", "--format", "json", "--min-concurrency", "1")}


def test_the_printed_medians_are_those_of_the_rows_of_each_group(records_from_65):
    groups = {(r["gpu"], r["engine"], r["decode_attention"]): r
              for r in printed("bench", "decode", "--format", "json", "--min-concurrency", "65")}
    records = records_from_65
    assert sum(r["rows"] for r in groups.values()) == len(records)
    mine = [r["tpot_at_measured_batch_ratio"] for r in records if (r["gpu"], r["decode_attention"]) == ("mi355x", "data-parallel")]
    row = groups[("mi355x", "sglang", "data-parallel")]
    assert row["rows"] == len(mine)
    assert row["model_tpot_at_measured_batch_over_measured"] == round(statistics.median(mine), 2)
    assert (row["lowest"], row["highest"]) == (round(min(mine), 2), round(max(mine), 2))


def test_a_lower_threshold_takes_more_rows_and_a_bad_one_is_refused(capsys, records_from_1, records_from_65):
    everything = printed("bench", "decode", "--format", "json", "--min-concurrency", "1")
    assert sum(r["rows"] for r in everything) == len(records_from_1) > len(records_from_65)
    assert main(["bench", "decode", "--min-concurrency", "many"]) == 2
    assert "invalid int value" in capsys.readouterr().err


def test_rows_gives_each_rows_requests_and_decoding_per_decode_attention_group(rows_from_1, records_from_1):
    """`--rows`, worked by hand from ../shared/data/calibration/inferencex-deepseek-r1.csv. H0412 (GB200, Dynamo +
    TensorRT-LLM, decode 32 GPUs as one TP32 worker with dp-attn true): 32 groups, 1,127 / 32 = 35.2 requests each;
    each decode GPU yields 1,498.7898 tokens/s at a mean TPOT of 19.553 ms, so 1,498.7898 x 0.019553 = 29.3 sequences
    decode on each (Little's law). H0403 (decode 24 GPUs as 3 TP8 workers, dp-attn false): 3 groups, 3 / 3 = 1 each."""
    rows = rows_from_1
    assert len(rows) == len(records_from_1)
    h0412 = rows["H0412"]
    assert (h0412["decode_attention_groups"], h0412["concurrency_per_group"]) == (32, 35.2)
    assert h0412["measured_decoding_per_group"] == round(1498.7898 * 0.019553, 1) == 29.3
    assert h0412["measured_ttft_ms"] == 1773
    h0403 = rows["H0403"]
    assert (h0403["decode_attention"], h0403["decode_attention_groups"], h0403["concurrency_per_group"]) == ("tensor-parallel", 3, 1.0)


def test_a_cap_read_from_the_requests_puts_the_excess_in_the_queue_the_measured_ttft_shows(rows_from_1, catalog):
    """H0412: 35.2 requests per decode GPU = 1.1 x 32, read as a cap of 32 running requests per GPU (1,024 on the one
    DP32 decode worker, `max_batch`) and 103 requests waiting for a slot. The model with that cap gives the same TTFT as
    `predict_model` asked with max_batch 1,024 directly, and lands within 10 % of the measured 1,773 ms, where the
    model without it says 282 ms. A power of two exactly (H0403: 1 per group) or SGLang's 4/3 of one is not read."""
    from dataclasses import replace

    from tco.bench.accuracy import config_of
    from tco.bench.decode_at_measured_batch import cap_read_from_requests
    from tco.engine.throughput import predict_model

    rows = rows_from_1
    h0412 = rows["H0412"]
    assert h0412["cap_per_group_read"] == 32 == cap_read_from_requests(1127, 32)
    # Little's law on the published figures: 103 requests over the caps, 1,498.7898 tokens/s on each of 32 decode GPUs
    # over a mean output of (819 + 1,024) / 2 = 921.5, rounded to 922 tokens (`mean_length`), completes 52.02
    # requests a second: 1.98 s of waiting.
    assert h0412["queue_ttft_ms_if_capped"] == round((1127 - 32 * 32) / (1498.7898 * 32 / 922) * 1e3) == 1980
    m = next(m for m in catalog.measurements if m.id == "inferencex:H0412")
    direct = predict_model(catalog.models["deepseek-r1"], catalog.gpus["gb200"], replace(config_of(m), max_batch=1024))
    assert h0412["model_ttft_ms_if_capped"] == round(direct.ttft_ms)
    assert abs(direct.ttft_ms / 1773.44 - 1) < 0.10 and h0412["model_ttft_ms"] < 0.2 * 1773.44
    assert rows["H0403"]["cap_per_group_read"] is None and cap_read_from_requests(3, 3) is None
    assert cap_read_from_requests(2048, 48) is None  # 42.7 per group: 4/3 of 32, an SGLang row's (H0334)


def test_rows_give_the_completions_a_second_and_how_busy_the_prefill_side_was(rows_from_1):
    """Worked by hand from ../shared/data/calibration/inferencex-deepseek-r1.csv. H0349 (GB200, Dynamo + SGLang, 16
    requests, 1k/1k): 89.7513 output tokens/s on each of 16 decode GPUs over a mean output of (819 + 1,024) / 2 =
    921.5, rounded to 922 tokens, is 1.56 completions a second; it prefilled 1.56 x 922 = 1,436 prompt tokens a second
    (the published 356.3535 per prefill GPU x 4 = 1,425), 2 % of what the model's prefill side can. H0347 (GB200, 4,096
    requests, 8k/1k, median TTFT 86.7 s: a queue) ran its prefill side at the model's capacity, within 10 %. H0349's
    median TTFT, 415.97 ms, is 415.97 / (415.97 + 921 x 10.115) = 4.3 % of a request's time at its median TPOT of
    10.115 ms; H0347's 86.7 s is 86,733.94 / (86,733.94 + 921 x 13.985) = 87 %."""
    rows = rows_from_1
    assert rows["H0349"]["completions_per_s"] == round(89.7513 * 16 / 922, 2) == 1.56
    assert rows["H0349"]["prefill_busy"] < 0.03
    assert rows["H0349"]["ttft_share_of_request"] == round(415.97 / (415.97 + 921 * 10.115), 3) == 0.043
    assert rows["H0347"]["ttft_share_of_request"] == round(86733.94 / (86733.94 + 921 * 13.985), 3) == 0.871
    assert rows["H0347"]["completions_per_s"] == round(752.1452 * 48 / 922, 2)
    assert 0.9 < rows["H0347"]["prefill_busy"] < 1.1


def test_ttft_by_rate_keeps_the_rows_with_an_idle_prefill_side_and_bands_them_by_completions(records_from_1):
    from tco.bench.decode_at_measured_batch import (PREFILL_FAR_FROM_BUSY, QUEUED_TTFT_SHARE, RATE_BAND_NAMES, rate_band,
                                                    ttft_by_rate)

    assert [RATE_BAND_NAMES[rate_band(x)] for x in (0.2, 0.5, 0.99, 1.0, 3.99, 4.0, 19.9, 20.0, 500.0)] == [
        "< 0.5", "0.5-1", "0.5-1", "1-4", "1-4", "4-20", "4-20", "20+", "20+"]
    records = records_from_1
    kept = [r for r in records if r["prefill_busy"] is not None and r["prefill_busy"] < PREFILL_FAR_FROM_BUSY]
    table = ttft_by_rate(records)
    assert sum(row["rows"] for row in table) == len(kept) < len(records)
    # the medians are those of each group's rows whose TTFT is no queue, the excess in ms and in each row's own TPOTs
    for row in table:
        members = [r for r in kept if r["engine"] == row["engine"]
                   and RATE_BAND_NAMES[rate_band(r["completions_per_s"])] == row["completions_per_s"]]
        unqueued = [r for r in members if r["ttft_share_of_request"] <= QUEUED_TTFT_SHARE]
        assert (len(members), len(members) - len(unqueued)) == (row["rows"], row["rows_queued"])
        assert row["ttft_excess_ms"] == round(statistics.median(r["measured_ttft_ms"] - r["model_ttft_ms"] for r in unqueued))
        assert row["ttft_excess_tpots"] == round(statistics.median((r["measured_ttft_ms"] - r["model_ttft_ms"]) / r["measured_tpot_ms"]
                                                                   for r in unqueued), 1)
    assert sum(row["rows_queued"] for row in table) > 0
    assert [row["completions_per_s"] for row in table if row["engine"] == "sglang"] == ["< 0.5", "0.5-1", "1-4", "4-20", "20+"]


def test_on_sglang_the_ttft_the_model_misses_comes_with_four_completions_a_second_not_the_prefill_load():
    """What docs/throughput.md ("The TTFT that grows with the request rate") reports: on the Dynamo + SGLang and SGLang +
    MoRI rows whose prefill side is under 30 % busy and whose TTFT is no queue, the model is within 20 % of the median
    TTFT below 4 completions a second, and about half the measured TTFT from 4 a second up, the excess growing with
    the rate."""
    sglang = [r for r in printed("bench", "decode", "--ttft-by-rate", "--format", "json", "--min-concurrency", "1")
              if r["engine"] == "sglang"]
    ratios = [r["measured_ttft_over_model"] for r in sglang]
    assert all(0.8 <= ratio <= 1.2 for ratio in ratios[:3])
    assert min(ratios[3:]) > 1.5
    excess = [r["ttft_excess_ms"] for r in sglang]
    assert max(excess[:3]) < 50 < 200 < excess[3] < excess[4]
