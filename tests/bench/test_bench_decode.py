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
