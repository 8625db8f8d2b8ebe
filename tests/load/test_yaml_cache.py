"""The parsed-catalog cache: same data and lines as a fresh parse, rebuilt when the file changes."""

from __future__ import annotations

import datetime as dt

from tco.load.yaml_source import CACHE_MIN_BYTES, load_yaml


def test_a_cached_parse_equals_a_fresh_one_and_follows_edits(tmp_path, monkeypatch):
    monkeypatch.delenv("TCO_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "big.yaml"
    body = "".join(f"  - {{id: g{i}, day: 2025-06-{i % 28 + 1:02d}, price: {i}.5}}\n" for i in range(400))
    path.write_text("items:\n" + body)
    assert path.stat().st_size > CACHE_MIN_BYTES
    fresh = load_yaml(path, cache=True)
    assert list((tmp_path / "cache").rglob("*.json")), "the first load writes a cache entry"
    cached = load_yaml(path, cache=True)
    assert cached == fresh
    data, lines = cached
    assert data["items"][3]["day"] == dt.date(2025, 6, 4) and data["items"][3]["price"] == 3.5
    assert lines[("items", 3, "price")] == 5  # line 1 is `items:`, item 3 is on line 5
    path.write_text("items:\n" + body.replace("g7,", "g7x,") + "  - {id: new}\n")
    changed = load_yaml(path, cache=True)
    assert changed[0]["items"][7]["id"] == "g7x" and changed[0]["items"][-1] == {"id": "new"}


def test_a_process_decodes_an_unchanged_entry_once_and_a_changed_one_again(tmp_path, monkeypatch):
    """The in-process memo (`yaml_source._DECODED`): the terminal UI and every run reload the catalogs; an entry
    already decoded is not decoded again while it is the same file, and is read and checked again once it changes."""
    import os

    from tco.load import yaml_source

    monkeypatch.delenv("TCO_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "big.yaml"
    path.write_text("items:\n" + "".join(f"  - {{id: g{i}, price: {i}.5}}\n" for i in range(400)))
    load_yaml(path, cache=True)  # parses and writes the entry
    decoded = []
    real = yaml_source._decode_cache
    monkeypatch.setattr(yaml_source, "_decode_cache", lambda text: decoded.append(1) or real(text))
    first = load_yaml(path, cache=True)
    again = load_yaml(path, cache=True)
    assert len(decoded) == 1 and again == first
    (entry,) = (tmp_path / "cache").rglob("*.json")
    stamp = entry.stat().st_mtime_ns + 5_000_000_000
    os.utime(entry, ns=(stamp, stamp))  # the same bytes, another modification time: no longer the file decoded
    assert load_yaml(path, cache=True) == first and len(decoded) == 2
