"""How many tokens per second one replica of an open model serves on a GPU type: the physics.

Why a model and not a lookup table: published measurements cover a few hundred configurations; a
TCO question asks about any model, GPU, precision, split and request shape. The model is a
per-kernel roofline (time = bytes / bandwidth or FLOPs / peak, whichever is larger, summed over
the kernels of one engine step), with in-flight batching of prefill and decode, and a handful of
efficiency constants fitted on the calibration set (see `tco/bench/fit_throughput.py` and
docs/throughput.md). Measurements, when they match, override it (`lookup`).

The modules, each importing only those above it in this list (no cycle; an import-linter
contract in pyproject.toml keeps it so):

- `config`: ServingConfig, ThroughputResult, the allowed values (from tco.model's Literals) and
  the engines' documented defaults;
- `fitted`: FittedConstants, the one frozen value of fitted efficiencies (`FITTED` is shipped);
- `memory`: weights, KV cache, what fits;
- `gpu`: native precisions, tensor peaks, links of a GPU type;
- `parallel`: the ways to split a stage's GPUs, and the fastest of them;
- `deployment`: the concurrency-independent rates of one (model, GPU, config, split);
- `collectives`, `step`: the step kernels and the steady state at a concurrency;
- `lookup`: measurements, with the predictor passed in;
- `predict`: `predict` and `predict_model`, which tie them together;
- `regimes` (beside them, importing none): how far the model has been from published runs like a given one.

Pure: no I/O. Units are in the names; bytes and FLOPs are plain floats.
"""

from __future__ import annotations

from tco.engine.throughput.collectives import load_imbalance
from tco.engine.throughput.config import (ENGINES, PRECISIONS, RUNTIMES, ServingConfig, ThroughputResult, default_kv_precision,
                                          not_runnable)
from tco.engine.throughput.fitted import FITTED, GENERATIONS, FittedConstants, PerGeneration, efficiency_generation
from tco.engine.throughput.memory import (kv_cache_bytes_per_token, memory_bytes_of, moe_dispatch_bytes_per_routed_copy, param_split,
                                          weight_bytes)
from tco.engine.throughput.predict import (predict, predict_at_rate, predict_closed_loop_run, predict_model, predict_offline_run,
                                          predict_rate_run)
from tco.engine.throughput.step import expected_experts_touched

__all__ = [
    "ENGINES", "FITTED", "GENERATIONS", "PRECISIONS", "RUNTIMES", "FittedConstants", "PerGeneration", "ServingConfig",
    "ThroughputResult", "default_kv_precision", "efficiency_generation", "expected_experts_touched", "kv_cache_bytes_per_token",
    "load_imbalance", "memory_bytes_of", "moe_dispatch_bytes_per_routed_copy", "not_runnable", "param_split", "predict",
    "predict_at_rate", "predict_closed_loop_run", "predict_model", "predict_offline_run", "predict_rate_run", "weight_bytes",
]
