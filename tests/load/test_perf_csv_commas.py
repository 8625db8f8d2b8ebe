"""A GenAI-Perf / AIPerf CSV cell may hold commas only as thousands separators.

Why: every comma was stripped, so `26,12` (26.12 with a decimal comma, as a spreadsheet in a European locale saves it)
became 2612, a TPOT a hundred times too slow, without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tco.errors import TcoUserError
from tco.load.bench_runs import _csv_number, read_bench_file

REAL = Path(__file__).resolve().parents[1] / "data" / "bench-runs" / "genai-perf_llama-3.1-405b-fp8_dynamo_profile_genai_perf.csv"


@pytest.mark.parametrize("cell, number", [("1,146.31", 1146.31), ("3,000", 3000.0), ("12,345,678.5", 12345678.5),
                                          ("-1,000", -1000.0), ("26.12", 26.12), (" 7 ", 7.0)])
def test_thousands_separators_are_read(cell, number):
    assert _csv_number(cell, "p.csv", 4, "Inter Token Latency.avg", True) == number


@pytest.mark.parametrize("cell", ["26,12", "1,5", "1,0000", ",123", "1,234,56", "12,345.6,7"])
def test_any_other_comma_is_refused_with_file_row_and_column(cell):
    with pytest.raises(TcoUserError) as caught:
        _csv_number(cell, "p.csv", 4, "Inter Token Latency.avg", True)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("p.csv", 4, "Inter Token Latency.avg")
    assert f"(got {cell!r})" in problem.message and "groups of three digits" in problem.message


def test_a_decimal_comma_in_a_real_export_is_refused_at_its_row(tmp_path):
    text = REAL.read_text().replace("Inter Token Latency (ms),30.35,", 'Inter Token Latency (ms),"30,35",')
    path = tmp_path / "profile_export_genai_perf.csv"
    path.write_text(text)
    with pytest.raises(TcoUserError) as caught:
        read_bench_file(path, str(path))
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), 5, "Inter Token Latency.avg")
    assert read_bench_file(REAL)[0].tpot_ms == 30.35  # the file as exported still reads
