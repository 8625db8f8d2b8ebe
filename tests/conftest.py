"""Shared test setup."""

from __future__ import annotations

import os

# Tests parse thousands of temporary and mutated files: keep them out of the user's parse cache.
# tests/load/test_yaml_cache.py turns the cache on, in a temporary folder, to test it.
os.environ.setdefault("TCO_NO_CACHE", "1")
