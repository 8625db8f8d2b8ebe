"""The tool never evaluates text as code, never loads YAML unsafely, and never touches the network."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest

from tco.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "tco"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader", "_Loader"}


def _calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return ""


def test_the_source_tree_is_really_scanned():
    assert len(SOURCES) > 30 and PACKAGE / "load" / "yaml_source.py" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_eval_exec_or_unsafe_yaml(path):
    for call in _calls(path):
        name = _name(call.func)
        where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
        assert name not in ("eval", "exec", "compile", "__import__", "builtins.eval", "builtins.exec"), f"{where}: {name}()"
        assert name not in ("yaml.unsafe_load", "yaml.full_load", "yaml.load_all", "yaml.unsafe_load_all"), f"{where}: {name}()"
        if name in ("yaml.load", "yaml.compose", "yaml.compose_all"):
            loader = next((k.value for k in call.keywords if k.arg == "Loader"), call.args[1] if len(call.args) > 1 else None)
            assert loader is not None and _name(loader).split(".")[-1] in SAFE_YAML_LOADERS, f"{where}: {name}() without a safe Loader"


def test_the_scan_would_catch_an_eval(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = eval('1+1')\nimport yaml\ny = yaml.load(open('f'), Loader=yaml.Loader)\n")
    names = [_name(c.func) for c in _calls(bad)]
    assert "eval" in names and "yaml.load" in names


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("llm-tco tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_guard_refuses_connections(no_network):
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("example.com", 80))


def test_tco_run_on_the_bundled_examples_needs_no_network(no_network, capsys):
    assert main(["run", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len({r["scenario"] for r in records}) >= 3
    assert all(r["total_cost_usd"] is None or r["total_cost_usd"] >= 0 for r in records)


def test_tco_validate_needs_no_network(no_network, capsys):
    assert main(["validate"]) == 0
