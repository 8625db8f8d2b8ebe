"""GPU and model figures too large to be real are refused at their own line (exit 2), never reach the engine.

Why: `memory_gb: 1e300` overflowed to inf in the throughput model (a NaN traceback) and `total_params_b: 1e300` gave
exit 4 blaming the scenario with "weights need inf GB"; `gpu_count: 1e300` was reported at a price line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tco.cli import main
from tco.paths import bundled_dir

EXAMPLE = Path(__file__).resolve().parents[2] / "tco" / "examples" / "customer-support.yaml"


def _user_copy(tmp_path: Path, file: str, kind: str, record_id: str, field: str, value: str) -> tuple[Path, int]:
    """The bundled record `record_id` alone in a user folder, with `field: value`; the file and that field's line."""
    data = yaml.safe_load((bundled_dir("hardware") / file).read_text(encoding="utf-8"))
    record = next(r for r in data[kind] if r["id"] == record_id)
    record[field] = "PLACEHOLDER"
    text = yaml.safe_dump({"schema_version": 1, kind: [record]}, sort_keys=False, width=10_000)
    text = text.replace("PLACEHOLDER", value)
    folder = tmp_path / "mine"
    folder.mkdir()
    path = folder / Path(file).name
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith(f"{field}:"))
    return path, line


@pytest.mark.parametrize("field", ["memory_gb", "memory_bandwidth_tb_per_s", "dense_bf16_tflops", "tdp_w"])
def test_a_huge_gpu_figure_is_refused_at_its_line_by_run_and_validate(tmp_path, capsys, field):
    path, line = _user_copy(tmp_path, "gpus.yaml", "gpus", "h100-sxm", field, "1e300")
    for argv in (["run", str(EXAMPLE), "--no-breakeven"], ["validate"]):
        assert main([*argv, "--hardware-dir", str(path.parent)]) == 2
        err = capsys.readouterr().err
        assert f"{path}:{line}: gpus[0].{field}: is too large to be a real figure" in err
        assert "Traceback" not in err and "This is a bug" not in err


def test_a_gpu_memory_of_1e20_gb_is_refused_too(tmp_path, capsys):
    """1e20 ran with exit 0 before: no real GPU has 1e5 GB."""
    path, line = _user_copy(tmp_path, "gpus.yaml", "gpus", "h100-sxm", "memory_gb", "1e20")
    assert main(["validate", "--hardware-dir", str(path.parent)]) == 2
    assert f"{path}:{line}: gpus[0].memory_gb: is too large" in capsys.readouterr().err


def test_a_huge_model_size_is_a_bad_catalog_line_not_an_option_that_cannot_run(tmp_path, capsys):
    path, line = _user_copy(tmp_path, "models.yaml", "models", "llama-3.3-70b", "total_params_b", "1e300")
    assert main(["run", str(EXAMPLE), "--no-breakeven", "--hardware-dir", str(path.parent)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: models[0].total_params_b: is too large to be a real figure" in err
    assert "inf GB" not in err


def test_an_absurd_gpu_count_of_an_offer_is_refused_at_the_gpu_count_line(tmp_path, capsys):
    path, line = _user_copy(tmp_path, "offers/lambda.yaml", "offers", "lambda:gpu_8x_h100_sxm5", "gpu_count", "1e300")
    assert main(["run", str(EXAMPLE), "--no-breakeven", "--hardware-dir", str(path.parent)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: offers[0].gpu_count: must be at most 100000" in err
    assert "on_demand_usd_per_gpu_hour" not in err


def test_the_bundled_catalog_is_within_the_bounds(bundled_hardware):
    """The bounds are far above any real figure: every bundled GPU, model and offer still loads."""
    assert bundled_hardware.gpus and bundled_hardware.models and bundled_hardware.offers
