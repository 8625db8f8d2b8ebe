"""The throughput package's seams: allowed values declared once, fitted constants as one value,
modules without import cycles, and the fitter's output in the form of the shipped constants."""

from __future__ import annotations

import ast
from dataclasses import FrozenInstanceError, fields, replace
from pathlib import Path
from typing import get_args

import pytest

from tco.engine.throughput import FITTED, FittedConstants, ServingConfig, predict_model
from tco.engine.throughput import config as throughput_config
from tco.engine.throughput.fitted import GENERATIONS, PerGeneration
from tco.engine.throughput.gpu import ARCHITECTURE_NAMES
from tco.model.hardware import Architecture, Engine, Precision, Runtime
from tco.model.scenario import ServingPrecision

PACKAGE = Path(__file__).resolve().parents[2] / "tco" / "engine" / "throughput"


def test_the_engine_takes_its_allowed_values_from_the_models_literals():
    assert throughput_config.ENGINES == get_args(Engine) == ("trtllm", "vllm", "sglang")
    assert throughput_config.RUNTIMES == get_args(Runtime) == ("python", "cpp")
    assert throughput_config.PRECISIONS == get_args(Precision)
    assert set(get_args(ServingPrecision)) <= set(get_args(Precision))  # a scenario names precisions the model knows


def test_every_per_engine_and_per_architecture_table_covers_exactly_the_allowed_values():
    from tco.engine.throughput.memory import BYTES_PER_KV_ELEMENT, BYTES_PER_WEIGHT

    for engine in get_args(Engine):  # every engine has its own default running limit and step budget
        assert throughput_config.engine_max_batch(engine, "H100 SXM", 80 * 2**30, 1) >= 1
        assert throughput_config.engine_step_budget(engine, "H100 SXM", 80 * 2**30) >= 1
    assert set(throughput_config.ENGINE_EXPLOITS_SLIDING_WINDOW) == set(get_args(Engine))
    assert set(throughput_config.ENGINE_OVERLAPS_HOST_WHEN_SPECULATING) == set(get_args(Engine))
    assert set(BYTES_PER_WEIGHT) == set(BYTES_PER_KV_ELEMENT) == set(get_args(Precision))
    assert set(ARCHITECTURE_NAMES) == set(get_args(Architecture))
    assert set(GENERATIONS) < set(get_args(Architecture))  # generations with their own fitted values


def test_the_fitted_constants_are_one_frozen_value():
    with pytest.raises(FrozenInstanceError):
        FITTED.link_efficiency = 0.9  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        FITTED.matmul_efficiency.shared = 0.9  # type: ignore[misc]
    assert hash(FITTED) == hash(replace(FITTED))  # hashable all the way down: no dict inside


def test_the_model_uses_the_constants_it_is_given(catalog):
    # Llama-3.1-8B BF16 on one H100 at one sequence is memory-bound: halving the achieved bandwidth
    # share should nearly double the time per token (the per-layer overhead does not scale with it).
    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    cfg = ServingConfig(gpus=1, input_tokens=100, output_tokens=1000, precision="bf16", concurrency=1)
    half = replace(FITTED, memory_bandwidth_efficiency=PerGeneration(shared=FITTED.memory_bandwidth_efficiency.shared / 2))
    shipped, slower = predict_model(m, g, cfg), predict_model(m, g, cfg, half)
    assert shipped == predict_model(m, g, cfg, FITTED)  # FITTED is the default
    assert 1.6 < slower.tpot_ms / shipped.tpot_ms < 2.0


def test_each_module_imports_only_the_ones_before_it_in_the_layer_order_so_no_cycle():
    """Each module imports only modules of the package listed before it in this order (no cycles)."""
    order = ["regimes", "measured_load", "config", "fitted", "memory", "gpu", "parallel", "deployment", "collectives", "step", "lookup", "calibrate", "predict"]
    assert sorted(order) == sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    for position, name in enumerate(order):
        tree = ast.parse((PACKAGE / f"{name}.py").read_text())
        imported = {node.module.rsplit(".", 1)[-1] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tco.engine.throughput.")}
        assert imported <= set(order[:position]), f"{name} imports {sorted(imported - set(order[:position]))}"


def test_the_fitter_prints_the_shipped_constants_as_they_are_written():
    # `python -m tco.bench.fit_throughput` prints its result as the source of FITTED: pasting it back
    # must give the same text, and the text of FITTED is in fitted.py verbatim.
    from tco.bench.fit_throughput import constants_source

    assert constants_source(FITTED) in (PACKAGE / "fitted.py").read_text()
    assert [f.name for f in fields(FittedConstants)] == [line.split("=")[0].strip()
                                                          for line in constants_source(FITTED).splitlines()[1:-1]]


def test_the_fitter_starts_from_round_values_it_does_not_share_with_the_shipped_set():
    from tco.bench.fit_throughput import START, starting_constants

    start = starting_constants()
    assert start.nvlink_allreduce_bytes_per_s == PerGeneration(shared=2e11)  # no generation's own value yet
    assert start.host_exposed_share == START["host_exposed_share"] == 0.3
    assert FITTED.host_exposed_share == 0.4346  # the shipped value is untouched by building the start


@pytest.fixture(scope="module")
def catalog():
    from tco.load.hardware import load_hardware

    return load_hardware()
