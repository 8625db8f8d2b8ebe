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


KNOWN_CYCLES = ({"tco.engine.throughput", "tco.engine.throughput_lookup"},)
"""Removed by issue 14 item 3 (throughput as a package, on another branch): delete it then."""


def _import_cycles() -> list[set[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan, on grimp's graph)."""
    import grimp

    graph = grimp.build_graph("tco", cache_dir=None)  # a cache could answer for the planted copy below
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = {stack.pop()}
            while v not in group:
                group.add(stack.pop())
            if len(group) > 1:
                cycles.append(group)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_tco_is_part_of_an_import_cycle():
    pytest.importorskip("grimp")
    assert [c for c in _import_cycles() if c not in KNOWN_CYCLES] == []


def test_the_cycle_finder_sees_a_planted_cycle(tmp_path, monkeypatch):
    """The check above could pass by finding nothing: plant a two-module cycle in a copy and see it."""
    pytest.importorskip("grimp")
    import shutil

    shutil.copytree(ROOT / "tco", tmp_path / "tco", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tco" / "units.py").write_text((ROOT / "tco" / "units.py").read_text() + "\nimport tco.errors\n")
    (tmp_path / "tco" / "errors.py").write_text((ROOT / "tco" / "errors.py").read_text() + "\nimport tco.units\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "tco" or m.startswith("tco.")]:
        monkeypatch.delitem(sys.modules, name)
    assert {"tco.units", "tco.errors"} in _import_cycles()


def test_every_package_of_tco_has_a_place_in_the_layers():
    """A new package or top-level module outside the layers would escape every contract."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    [layers] = [c["layers"] for c in config if c["type"] == "layers" and "containers" not in c]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    present = {f"tco.{p.stem}" for p in (ROOT / "tco").iterdir()
               if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and not p.stem.startswith("__"))}
    assert present - placed == set()
    assert placed - present == set()
