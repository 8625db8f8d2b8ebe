"""The layering holds: the engine is pure, and `tco --help` stays light.

Static (import-linter contracts in pyproject.toml) and at run time (a fresh interpreter's
`sys.modules`, and the engine computing with `open` disabled).
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e .[test])")
    done = subprocess.run([str(lint)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" in done.stdout.lower() and " 0 broken" in done.stdout.lower()


def test_building_the_cli_imports_no_heavy_package():
    code = ("import sys, json; import tco.cli; tco.cli.build_parser(); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('polars', 'textual', 'openpyxl', 'pydantic', 'yaml', 'numpy'))))")
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert not [m for m in loaded if m.split(".")[0] in ("polars", "textual", "openpyxl")], loaded


def test_the_check_above_would_see_polars():
    code = "import sys, polars; print('polars' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True"


def test_the_engine_computes_with_open_disabled(monkeypatch):
    """Load the files first, then forbid every file access while the engine runs."""
    from tco.engine.compare import compare
    from tco.load.catalog import load_catalog, providers_of
    from tco.load.scenarios import load_scenario_files
    from tco.run import example_files

    loaded = load_scenario_files(example_files())
    catalog = load_catalog(providers_of(loaded.scenarios))
    # Import everything the engine may import lazily before `open` goes away.
    compare(loaded.scenarios, catalog, dt.date(2026, 11, 27), with_breakeven=True)

    def no_files(*args, **kwargs):
        raise AssertionError(f"the engine opened a file: {args[:1]}")

    monkeypatch.setattr(builtins, "open", no_files)
    monkeypatch.setattr(Path, "open", no_files)
    monkeypatch.setattr(Path, "read_text", no_files)
    monkeypatch.setattr(Path, "read_bytes", no_files)
    results, problems = compare(loaded.scenarios, catalog, dt.date(2026, 11, 27), with_breakeven=True)
    assert not problems
    assert results.options.height >= len(loaded.scenarios)
    assert (results.options["total_cost_usd"].drop_nulls() >= 0).all()
