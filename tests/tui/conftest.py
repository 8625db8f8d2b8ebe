"""Fixtures for the terminal UI tests: a fixed date, a copy of a small scenario."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    target = tmp_path / "support.yaml"
    shutil.copy(DATA / "support.yaml", target)
    return target


@pytest.fixture(autouse=True)
def no_user_keymap(tmp_path_factory, monkeypatch):
    """The developer's own ~/.config/llm-tco/keymap.* must not change what the tests press."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
