"""`--as-of` stands in for `finance.start_date`, so it has the same bounds: 9990 overflowed the calendar (a
traceback, exit 1) and 1990 priced a scenario with today's models, where the file's own start_date is refused."""

from __future__ import annotations

from tco.cli import main
from tco.model.base import EARLIEST_DATE, LATEST_DATE

NO_START_DATE = """\
id: s
workload: {requests_per_day: 1000, input_tokens: 100, output_tokens: 50}
options:
  - {kind: api, id: mini, provider: openai, model: gpt-4.1-mini}
  - kind: self-hosted
    id: llama
    model: llama-3.1-8b
    gpu: l40s
    gpus_per_replica: 1
    payment: {mode: on-demand, gpu_usd_per_hour: 2.0}
"""


def test_an_as_of_outside_the_start_date_bounds_is_refused_on_one_line(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(NO_START_DATE)
    for day in ("9990-02-01", "1990-01-01", "1999-12-31", "2100-01-01"):
        assert main(["run", str(path), "--no-breakeven", "--as-of", day]) == 2
        assert capsys.readouterr().err == (f"--as-of: must be between {EARLIEST_DATE.isoformat()} and "
                                           f"{LATEST_DATE.isoformat()}, got {day}\n")
    # the last day is one a scenario may start on: its self-hosted option's months stay within the calendar
    assert main(["run", str(path), "--no-breakeven", "--format", "csv", "--as-of", LATEST_DATE.isoformat()]) == 0
