"""The measurement lookup looks only at the query's own model and GPU, and an indexed catalog answers alike.

Why: every query scanned every measurement, once per tensor-parallel group and per lookup (2.2 M comparisons for the
1,000 rows of `tco bench throughput`, most of its time), though the lookups compare the model and the GPU first."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

from tco.engine.throughput import ServingConfig, predict
from tco.engine.throughput import lookup

calibrate_module = importlib.import_module("tco.engine.throughput.calibrate")
predict_module = importlib.import_module("tco.engine.throughput.predict")  # the package's `predict` is the function

QUERIES = [  # (model, GPU, config, calibrate): a measured point, neighbours, a target, the TP groups left open, --calibrate
    ("llama-3.1-8b", "h200", ServingConfig(gpus=1, tp=1, precision="fp8", input_tokens=1000, output_tokens=1000), False),
    ("llama-3.1-8b", "h200", ServingConfig(gpus=1, tp=1, precision="fp8", input_tokens=700, output_tokens=700), False),
    ("llama-3.1-8b", "h200", ServingConfig(gpus=1, precision="fp8", input_tokens=1000, output_tokens=1000, tpot_ms=20), False),
    ("llama-3.1-70b", "h100-sxm", ServingConfig(gpus=8, precision="fp8", input_tokens=1000, output_tokens=1000), False),
    ("llama-3.1-70b", "h100-sxm",
     ServingConfig(gpus=2, precision="fp8", input_tokens=1000, output_tokens=1000, concurrency=8), True),
]


def _answer(catalog, model_id, gpu_id, config, calibrate, measurements):
    return predict(catalog.models[model_id], catalog.gpus[gpu_id], config, measurements, calibrate=calibrate)


def test_a_query_examines_only_the_measurements_of_its_model_and_gpu(bundled_hardware, monkeypatch):
    examined = []

    def recording(check):
        def wrapper(m, model_id, gpu_id, config):
            examined.append(((m.model, m.gpu), (model_id, gpu_id)))
            return check(m, model_id, gpu_id, config)
        return wrapper

    monkeypatch.setattr(predict_module, "same_deployment", recording(lookup.same_deployment))
    monkeypatch.setattr(lookup, "same_deployment", recording(lookup.same_deployment))
    monkeypatch.setattr(predict_module, "same_deployment_any_load", recording(calibrate_module.same_deployment_any_load))
    monkeypatch.setattr(calibrate_module, "same_deployment_any_load", recording(calibrate_module.same_deployment_any_load))
    for model_id, gpu_id, config, calibrate in QUERIES:
        assert _answer(bundled_hardware, model_id, gpu_id, config, calibrate, bundled_hardware.measurements).runnable
    assert examined and all(pair == asked for pair, asked in examined)


@pytest.mark.parametrize("model_id, gpu_id, config, calibrate", QUERIES)
def test_an_indexed_catalog_answers_as_its_plain_list(bundled_hardware, model_id, gpu_id, config, calibrate):
    index = lookup.MeasurementIndex(bundled_hardware.measurements)
    assert list(index) == list(bundled_hardware.measurements)  # still every measurement, in order, for any caller
    plain = _answer(bundled_hardware, model_id, gpu_id, config, calibrate, bundled_hardware.measurements)
    assert _answer(bundled_hardware, model_id, gpu_id, config, calibrate, index) == plain
    assert plain.basis != "model"  # each query uses measurements: the index was put to the test
    auto = replace(config, disaggregated=None)  # auto asks twice, through the same index
    assert (_answer(bundled_hardware, model_id, gpu_id, auto, calibrate, index)
            == _answer(bundled_hardware, model_id, gpu_id, auto, calibrate, bundled_hardware.measurements))


def test_the_index_groups_by_model_and_gpu_in_order(bundled_hardware):
    index = lookup.MeasurementIndex(bundled_hardware.measurements)
    ours = index.of("llama-3.1-8b", "h200")
    assert ours and list(ours) == [m for m in bundled_hardware.measurements if (m.model, m.gpu) == ("llama-3.1-8b", "h200")]
    assert index.of("no-such-model", "h200") == ()
    assert lookup.measurements_of(bundled_hardware.measurements, "llama-3.1-8b", "h200") == list(ours)
