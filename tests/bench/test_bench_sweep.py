"""`tco bench sweep`: the sweep it times really evaluates every volume for every option (the ratio is for people; no timing is asserted)."""

from __future__ import annotations

import json

from tco.cli import main
from tco.run import example_files


def test_bench_sweep_times_a_sweep_with_one_row_per_volume_and_option_and_prints_the_ratio(capsys):
    file = next(f for f in example_files() if f.name == "customer-support.yaml")
    assert main(["run", str(file), "--format", "json", "--no-breakeven"]) == 0
    options = len(json.loads(capsys.readouterr().out))
    assert main(["bench", "sweep", "--volumes", "20", "--repeats", "1", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    run_row, sweep_row, ratio_row = rows
    assert sweep_row["rows"] == 20 * options
    assert ratio_row["target"] == "<= 3"
    # the ratio printed is the sweep's seconds over the run's, as rounded in the other two rows (to 3 decimals)
    assert abs(ratio_row["ratio"] - sweep_row["seconds"] / run_row["seconds"]) < 0.02
    assert ratio_row["met"] == (ratio_row["ratio"] <= 3)


def test_the_volumes_swept_are_valid_request_volumes_and_distinct():
    from tco.bench.sweep_speed import volumes

    values = volumes(8000)
    assert len(set(values)) == 8000 and min(values) == 100 and max(values) == 800_000
