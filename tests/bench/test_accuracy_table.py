"""`tco bench accuracy --table`: the model scored on a published table's rows alone, as on the same rows bundled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main

SHARED = Path("/work/shared/data/calibration")
pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="shared calibration tables not on this machine")


def _first_rows(source: Path, target: Path, rows: int) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:rows + 1]), encoding="utf-8")
    return target


def test_a_table_is_scored_as_the_same_rows_are_when_bundled(tmp_path, capsys):
    """The first 60 rows of the TensorRT-LLM table and the first 30 InferenceX rows, as tables: their errors are those
    the bundled records of the same rows give (the converters read them to the same figures), grouped by source."""
    from tco.bench.accuracy import model_cases, summary
    from tco.load.hardware import load_hardware

    tables = [_first_rows(SHARED / "measurements.csv", tmp_path / "new-tables.csv", 60),
              _first_rows(SHARED / "inferencex-deepseek-r1.csv", tmp_path / "new-runs.csv", 30)]
    assert main(["bench", "accuracy", "--format", "json", *[a for t in tables for a in ("--table", str(t))]]) == 0
    rows = {(r["group"], r["key"]): r for r in json.loads(capsys.readouterr().out)}
    catalog = load_hardware()
    ids = {f"trtllm-v0.17:M{n:04d}" for n in range(1, 61)}
    bundled = summary(model_cases(catalog, [m for m in catalog.measurements if m.id in ids]))
    assert rows[("throughput per source", "new-tables")]["rows"] == 60
    assert rows[("throughput per source", "new-tables")]["median_abs_pct_error"] == bundled["median_abs_pct_error"]
    assert rows[("throughput per source", "inferencex")]["rows"] == 30
    assert ("hold-out gpu", "b200") not in rows  # the recorded hold-outs are the bundled rows', not shown here


def test_a_file_that_is_not_a_table_stops_with_its_name(tmp_path, capsys):
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["bench", "accuracy", "--table", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "notes.csv" in err and "not a measurements table" in err and "Traceback" not in err


def test_rows_of_models_the_catalog_lacks_are_counted_not_scored(tmp_path, capsys):
    table = _first_rows(SHARED / "measurements.csv", tmp_path / "mixed.csv", 5)
    lines = table.read_text().splitlines()
    lines[1] = lines[1].replace(",Llama-3.1-8B,", ",Llama-9-1T,", 1)
    lines[2] = lines[2].replace(",TensorRT-LLM,", ",llama.cpp,", 1)
    table.write_text("\n".join(lines) + "\n")
    assert main(["bench", "accuracy", "--format", "json", "--table", str(table)]) == 0
    out, err = capsys.readouterr()
    rows = {(r["group"], r["key"]): r for r in json.loads(out)}
    assert rows[("model (all rows)", "overall")]["rows"] == 3
    assert "2 rows not scored" in err and "model `Llama-9-1T` (1)" in err and "engine `llama.cpp` (1)" in err
