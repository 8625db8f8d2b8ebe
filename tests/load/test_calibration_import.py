"""The calibration-table converter: the shared TensorRT-LLM table converts to the bundled records' figures, other
tables of the same layout to records `tco bench accuracy --hardware-dir` scores, bad cells stop with their place."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from tco.errors import TcoUserError
from tco.load.calibration_import import build_records, main, runtime_of
from tco.load.catalog import load_catalog

SHARED_CSV = Path("/work/shared/data/calibration/measurements.csv")
BUNDLED = Path(__file__).resolve().parents[2] / "hardware" / "measurements"
pytestmark = pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared calibration table not on this machine")
FIELDS = ("model", "gpu", "num_gpus", "tp", "pp", "precision", "kv_cache_precision", "engine", "runtime", "scenario",
          "input_tokens", "output_tokens", "concurrency", "output_tokens_per_s", "successful_requests")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_the_shared_table_converts_to_the_bundled_figures(catalog):
    converted = {r["id"].split(":")[1]: r for r in build_records(SHARED_CSV, catalog, "tables", "2026")}
    bundled = {r["id"].split(":")[1]: r for name in ("trtllm-v0.17", "trtllm-v1.0")
               for r in yaml.safe_load((BUNDLED / f"{name}.yaml").read_text())["measurements"]}
    assert len(converted) == len(bundled) == 631
    for row_id, record in bundled.items():
        assert {f: record.get(f) for f in FIELDS} == {f: converted[row_id].get(f) for f in FIELDS}, row_id
    # each run's request count (`num_requests`), which scores it as a run of that many requests queued at once
    assert {r["successful_requests"] for r in bundled.values()} == {1000, 1500, 3000, 30000}
    # v0.17 ran TensorRT engines (the C++ runtime), v1.0 the PyTorch backend
    assert runtime_of("trtllm", "0.17 (TensorRT engine flow, trtllm-bench)") == "cpp"
    assert runtime_of("trtllm", "PyTorch backend, trtllm-bench throughput") == "python" == runtime_of("vllm", "0.9")


def _table(tmp_path: Path, **changes) -> Path:
    with SHARED_CSV.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        row = next(reader)
        columns = reader.fieldnames
    row.update(changes)
    path = tmp_path / "new-table.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerow(row)
    return path


def test_a_new_table_of_other_gpus_and_engines_is_scored_by_bench_accuracy(tmp_path, catalog, capsys):
    # One row relabelled as a per-GPU vLLM figure of gpt-oss-120b on 2 H200: 1,000 tokens/s per GPU -> 2,000
    table = _table(tmp_path, model="gpt-oss-120b", gpu="H200", num_gpus="2", tp="2", pp="", engine="vLLM",
                   engine_version="0.11.0", precision="fp4", kv_cache_precision="", output_tokens_per_s="1000",
                   throughput_scope="per_gpu")
    (record,) = build_records(table, catalog, "new", "2026-12-03")
    assert (record["id"], record["model"], record["gpu"], record["engine"], record["runtime"]) == (
        "new:M0001", "gpt-oss-120b", "h200", "vllm", "python")
    assert record["output_tokens_per_s"] == 2000.0 and record["tp"] == 2 and record["pp"] == 1
    target = tmp_path / "hw" / "measurements" / "new.yaml"
    assert main([str(table), "--target", str(target), "--prefix", "new", "--as-of", "2026-12-03"]) == 0
    from tco.cli import main as tco

    capsys.readouterr()
    assert tco(["bench", "accuracy", "--hardware-dir", str(tmp_path / "hw"), "--format", "csv"]) == 0
    assert "throughput per source,new,1," in capsys.readouterr().out


@pytest.mark.parametrize("changes, column", [({"gpu": "H999"}, "gpu"), ({"engine": "TGI"}, "engine"),
                                             ({"throughput_scope": "per_node"}, "throughput_scope"),
                                             ({"input_len_kind": "uniform"}, "input_len_kind")])
def test_a_bad_cell_stops_with_file_line_and_column(tmp_path, catalog, changes, column):
    with pytest.raises(TcoUserError) as stop:
        build_records(_table(tmp_path, **changes), catalog, "new", "2026")
    assert "new-table.csv" in str(stop.value) and ":2" in str(stop.value) and column in str(stop.value)


def test_no_date_asks_for_one(tmp_path, catalog, capsys):
    assert main([str(_table(tmp_path)), "--target", str(tmp_path / "out.yaml")]) == 2
    assert "--as-of" in capsys.readouterr().err and not (tmp_path / "out.yaml").exists()
