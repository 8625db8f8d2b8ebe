"""`tco bench decode`: the summary printed is the one the records give, on the rows the option selects."""

from __future__ import annotations

import json
import statistics

from tco.bench.decode_at_measured_batch import decode_rows
from tco.cli import main
from tco.load.hardware import load_hardware


def test_the_printed_medians_are_those_of_the_rows_of_each_group(capsys):
    assert main(["bench", "decode", "--format", "json", "--min-concurrency", "65"]) == 0
    printed = {(r["gpu"], r["engine"], r["decode_attention"]): r for r in json.loads(capsys.readouterr().out)}
    records = decode_rows(load_hardware(), 65)
    assert sum(r["rows"] for r in printed.values()) == len(records)
    mine = [r["tpot_at_measured_batch_ratio"] for r in records if (r["gpu"], r["decode_attention"]) == ("mi355x", "data-parallel")]
    row = printed[("mi355x", "sglang", "data-parallel")]
    assert row["rows"] == len(mine)
    assert row["model_tpot_at_measured_batch_over_measured"] == round(statistics.median(mine), 2)
    assert (row["lowest"], row["highest"]) == (round(min(mine), 2), round(max(mine), 2))


def test_a_lower_threshold_takes_more_rows_and_a_bad_one_is_refused(capsys):
    assert main(["bench", "decode", "--format", "json", "--min-concurrency", "1"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert sum(r["rows"] for r in everything) == len(decode_rows(load_hardware(), 1)) > len(decode_rows(load_hardware(), 65))
    assert main(["bench", "decode", "--min-concurrency", "many"]) == 2
    assert "invalid int value" in capsys.readouterr().err


def test_rows_gives_each_rows_requests_and_decoding_per_decode_attention_group(capsys):
    """`--rows`, worked by hand from ../shared/data/calibration/inferencex-deepseek-r1.csv. H0412 (GB200, Dynamo +
    TensorRT-LLM, decode 32 GPUs as one TP32 worker with dp-attn true): 32 groups, 1,127 / 32 = 35.2 requests each;
    each decode GPU yields 1,498.7898 tokens/s at a mean TPOT of 19.553 ms, so 1,498.7898 x 0.019553 = 29.3 sequences
    decode on each (Little's law). H0403 (decode 24 GPUs as 3 TP8 workers, dp-attn false): 3 groups, 3 / 3 = 1 each."""
    assert main(["bench", "decode", "--rows", "--format", "json", "--min-concurrency", "1"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == len(decode_rows(load_hardware(), 1))
    h0412 = rows["H0412"]
    assert (h0412["decode_attention_groups"], h0412["concurrency_per_group"]) == (32, 35.2)
    assert h0412["measured_decoding_per_group"] == round(1498.7898 * 0.019553, 1) == 29.3
    assert h0412["measured_ttft_ms"] == 1773
    h0403 = rows["H0403"]
    assert (h0403["decode_attention"], h0403["decode_attention_groups"], h0403["concurrency_per_group"]) == ("tensor-parallel", 3, 1.0)


def test_a_cap_read_from_the_requests_puts_the_excess_in_the_queue_the_measured_ttft_shows(capsys):
    """H0412: 35.2 requests per decode GPU = 1.1 x 32, read as a cap of 32 running requests per GPU (1,024 on the one
    DP32 decode worker, `max_batch`) and 103 requests waiting for a slot. The model with that cap gives the same TTFT as
    `predict_model` asked with max_batch 1,024 directly, and lands within 10 % of the measured 1,773 ms, where the
    model without it says 282 ms. A power of two exactly (H0403: 1 per group) or SGLang's 4/3 of one is not read."""
    from dataclasses import replace

    from tco.bench.accuracy import config_of
    from tco.bench.decode_at_measured_batch import cap_read_from_requests
    from tco.engine.throughput import predict_model

    assert main(["bench", "decode", "--rows", "--format", "json", "--min-concurrency", "1"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    h0412 = rows["H0412"]
    assert h0412["cap_per_group_read"] == 32 == cap_read_from_requests(1127, 32)
    # Little's law on the published figures: 103 requests over the caps, 1,498.7898 tokens/s on each of 32 decode GPUs
    # over a mean output of (819 + 1,024) / 2 = 921.5, rounded to 922 tokens (`mean_length`), completes 52.02
    # requests a second: 1.98 s of waiting.
    assert h0412["queue_ttft_ms_if_capped"] == round((1127 - 32 * 32) / (1498.7898 * 32 / 922) * 1e3) == 1980
    catalog = load_hardware()
    m = next(m for m in catalog.measurements if m.id == "inferencex:H0412")
    direct = predict_model(catalog.models["deepseek-r1"], catalog.gpus["gb200"], replace(config_of(m), max_batch=1024))
    assert h0412["model_ttft_ms_if_capped"] == round(direct.ttft_ms)
    assert abs(direct.ttft_ms / 1773.44 - 1) < 0.10 and h0412["model_ttft_ms"] < 0.2 * 1773.44
    assert rows["H0403"]["cap_per_group_read"] is None and cap_read_from_requests(3, 3) is None
    assert cap_read_from_requests(2048, 48) is None  # 42.7 per group: 4/3 of 32, an SGLang row's (H0334)
