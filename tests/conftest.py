"""Shared test setup: a private parse cache, and the bundled catalogs parsed once per session."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# Tests parse thousands of temporary and mutated files: keep them out of the user's parse cache.
# They get a private cache for this session instead (removed at the end), so the bundled catalogs
# that nearly every CLI test loads are parsed from YAML once, then read back from the cache as a
# user's second `tco run` does (tests/load/test_yaml_cache.py checks a cached parse equals a fresh
# one). TCO_NO_CACHE=1 in the environment still turns the cache off entirely.
_SESSION_CACHE = tempfile.mkdtemp(prefix="tco-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _SESSION_CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def bundled_hardware():
    """The bundled hardware catalog, parsed and validated once for the whole session. Read it, never change it."""
    from tco.load.hardware import load_hardware

    return load_hardware()


@pytest.fixture(scope="session")
def bundled_price_sheets():
    """Every bundled API price sheet, by provider id, loaded once for the whole session. Read only."""
    from tco.load.pricing import load_providers, pricing_dirs

    return load_providers(None, pricing_dirs())


@pytest.fixture(scope="session")
def bundled_quality():
    """The bundled capability data (benchmarks and model links), loaded once for the whole session. Read only."""
    from tco.load.quality import load_quality

    return load_quality()


@pytest.fixture(scope="session")
def bundled_examples_json(tmp_path_factory) -> str:
    """`tco run --format json --as-of 2026-11-27` on the bundled examples (no file given: it runs them all), as text,
    run once per worker for the modules that read it (tests/test_examples.py, tests/report/test_output_schema.py, both
    in the xdist group `examples-run`, so one worker runs it once)."""
    from tco.cli import main

    out = tmp_path_factory.mktemp("examples-run") / "results.json"
    assert main(["run", "--format", "json", "--as-of", "2026-11-27", "--output", str(out)]) == 0
    return out.read_text()


@pytest.fixture(scope="session")
def bundled_model_cases(bundled_hardware):
    """`tco.bench.accuracy.model_cases` on the bundled catalog (every usable row scored by the model alone), computed
    once per worker (seconds of model runs); tests reading it join the xdist group `regimes`, so one
    worker scores the rows once for them all. Read only."""
    from tco.bench.accuracy import model_cases

    return model_cases(bundled_hardware)
