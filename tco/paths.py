"""Where the bundled data lives: next to the package in a checkout, inside it in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """`hardware` or `pricing`: the wheel copy (tco/_bundled/NAME) or the checkout's top-level folder."""
    inside = _PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def examples_dir() -> Path:
    return _PACKAGE / "examples"
