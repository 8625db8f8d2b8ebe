"""The parse cache cannot be trusted: every kind of tampered entry is ignored and rebuilt from the YAML.

Issue 19: an edited entry changed prices while validate said ok; a same-size edit of the YAML with
its modification time restored ran the old content; a symlink to /dev/zero grew memory to GBs, a
FIFO hung. Each test parses a file once (writing the entry), tampers with the entry, parses again
and compares with a fresh parse (`parse_yaml` of the same text, no cache involved).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from tco.load import yaml_source
from tco.load.yaml_source import (CACHE_MAX_AGE_DAYS, CACHE_MAX_ENTRY_BYTES, CACHE_MIN_BYTES, cache_dir, load_yaml,
                                  parse_yaml, prune_cache)
from tco.paths import bundled_dir


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A private cache folder (the cache follows XDG_CACHE_HOME), with caching on."""
    monkeypatch.delenv("TCO_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "llm-tco"


@contextlib.contextmanager
def no_hang(seconds: int = 20):
    """Fail instead of hanging forever (the FIFO case hung the old cache reader). Not a timing test."""
    def fail(signum, frame):
        raise AssertionError(f"still blocked after {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def price_sheet(tmp_path: Path, price: str = "3.5") -> Path:
    """A file over CACHE_MIN_BYTES whose item 3 has `price` (so an edit is easy to see)."""
    body = "".join(f"  - {{id: m{i}, price: {price if i == 3 else f'{i}.25'}}}\n" for i in range(300))
    path = tmp_path / "sheet.yaml"
    path.write_text("items:\n" + body)
    assert path.stat().st_size > CACHE_MIN_BYTES
    return path


def the_entry(cache_home: Path) -> Path:
    entries = list(cache_home.rglob("*.json"))
    assert len(entries) == 1, entries
    return entries[0]


def first_load(tmp_path: Path, cache_home: Path) -> tuple[Path, Path, tuple]:
    path = price_sheet(tmp_path)
    fresh = parse_yaml(path.read_text(), str(path))
    assert load_yaml(path, cache=True) == fresh
    return path, the_entry(cache_home), fresh


def test_an_edited_entry_is_ignored_and_the_file_is_read(tmp_path, cache_home):
    path, entry, fresh = first_load(tmp_path, cache_home)
    raw = entry.read_bytes()
    assert b'"price": 3.5' in raw
    entry.write_bytes(raw.replace(b'"price": 3.5', b'"price": 0.1'))  # a cheaper price, JSON still valid
    data, lines = load_yaml(path, cache=True)
    assert (data, lines) == fresh and data["items"][3]["price"] == 3.5
    assert b'"price": 3.5' in entry.read_bytes(), "the entry was rebuilt"


def test_an_entry_of_the_wrong_shape_is_rebuilt_even_with_matching_checksums(tmp_path, cache_home):
    """Someone who recomputes the checksum still cannot feed a payload that is not data + line index."""
    import hashlib

    path, entry, fresh = first_load(tmp_path, cache_home)
    header = json.loads(entry.read_bytes().partition(b"\n")[0])
    for payload in (b'{"data": {"items": []}, "lines": "not a list"}', b'{"data": 1}', b'[1, 2]',
                    b'{"data": {}, "lines": [[["items"], true]]}', b'{"data": {}, "lines": [[["items"], 0]]}'):
        header["payload_sha256"] = hashlib.sha256(payload).hexdigest()
        entry.write_bytes(json.dumps(header).encode() + b"\n" + payload)
        assert load_yaml(path, cache=True) == fresh, payload


def test_an_entry_of_another_version_or_for_other_bytes_is_not_used(tmp_path, cache_home):
    path, entry, fresh = first_load(tmp_path, cache_home)
    header_line, _, payload = entry.read_bytes().partition(b"\n")
    for change in ({"version": 1}, {"format": "something else"}, {"source_sha256": "0" * 64}, {"yaml": "0.0"}):
        header = json.loads(header_line) | change
        entry.write_bytes(json.dumps(header).encode() + b"\n" + payload.replace(b'"price": 3.5', b'"price": 0.1'))
        assert load_yaml(path, cache=True) == fresh, change


def test_a_same_size_edit_with_the_old_modification_time_is_seen(tmp_path, cache_home):
    """The key is the content hash, not size + mtime (the old key ran the previous content)."""
    path, entry, fresh = first_load(tmp_path, cache_home)
    before = path.stat()
    path.write_text(path.read_text().replace("price: 3.5", "price: 9.5"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    data, _ = load_yaml(path, cache=True)
    assert data["items"][3]["price"] == 9.5


def test_a_symlink_to_dev_zero_is_not_followed_and_is_replaced(tmp_path, cache_home):
    path, entry, fresh = first_load(tmp_path, cache_home)
    entry.unlink()
    entry.symlink_to("/dev/zero")
    with no_hang():
        assert load_yaml(path, cache=True) == fresh
    assert not entry.is_symlink() and entry.stat().st_size < 10 * path.stat().st_size


def test_a_symlink_to_a_real_entry_elsewhere_is_not_followed_and_that_file_is_untouched(tmp_path, cache_home):
    path, entry, fresh = first_load(tmp_path, cache_home)
    elsewhere = tmp_path / "other.json"
    elsewhere.write_bytes(entry.read_bytes().replace(b'"price": 3.5', b'"price": 0.1'))
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert load_yaml(path, cache=True) == fresh
    assert b'"price": 0.1' in elsewhere.read_bytes() and not entry.is_symlink()


def test_a_fifo_in_place_of_an_entry_does_not_block(tmp_path, cache_home):
    path, entry, fresh = first_load(tmp_path, cache_home)
    entry.unlink()
    os.mkfifo(entry)
    with no_hang():
        assert load_yaml(path, cache=True) == fresh
    assert entry.is_file()


def test_a_huge_entry_is_not_read(tmp_path, cache_home, monkeypatch):
    path, entry, fresh = first_load(tmp_path, cache_home)
    with open(entry, "r+b") as f:
        f.truncate(CACHE_MAX_ENTRY_BYTES + 1)  # sparse: no disk used, but over the limit
    reads = []
    real_read = os.read
    monkeypatch.setattr(yaml_source.os, "read", lambda fd, n: reads.append(os.fstat(fd).st_size) or real_read(fd, n))
    assert load_yaml(path, cache=True) == fresh
    assert reads and max(reads) == path.stat().st_size, "only the YAML was read: the entry's size was checked first"
    assert entry.stat().st_size < 10 * path.stat().st_size


def test_a_folder_in_place_of_an_entry_gives_a_fresh_parse(tmp_path, cache_home):
    path, entry, fresh = first_load(tmp_path, cache_home)
    entry.unlink()
    entry.mkdir()
    (entry / "x").write_text("x")
    assert load_yaml(path, cache=True) == fresh


def test_user_files_are_not_cached_but_bundled_catalogs_are(tmp_path, cache_home):
    load_yaml(price_sheet(tmp_path))  # a user file, default policy
    assert not list(cache_home.rglob("*.json"))
    bundled = max(bundled_dir("pricing").glob("*.yaml"), key=lambda p: p.stat().st_size)
    assert bundled.stat().st_size > CACHE_MIN_BYTES
    load_yaml(bundled)
    assert len(list(cache_home.rglob("*.json"))) == 1


def test_no_cache_env_turns_it_off(tmp_path, cache_home, monkeypatch):
    monkeypatch.setenv("TCO_NO_CACHE", "1")
    load_yaml(price_sheet(tmp_path), cache=True)
    assert not cache_home.exists()


def test_pruning_drops_old_entries_strays_orphans_and_the_previous_cache_version(tmp_path, cache_home):
    folder = cache_dir()
    folder.mkdir(parents=True)
    now = time.time()
    young, old = folder / "a.json", folder / "b.json"
    young.write_text("{}")
    old.write_text("{}")
    os.utime(old, (now - (CACHE_MAX_AGE_DAYS + 1) * 86400,) * 2)
    (folder / "link.json").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.json")
    dead_pid = _a_dead_pid()
    orphan = folder / f".c.json.tco-{dead_pid}-abc123.tmp"
    orphan.write_text("half")
    previous = folder.parent / "yaml-v1"
    previous.mkdir()
    (previous / "x.json").write_text("{}")
    prune_cache(folder, now=now)
    assert sorted(p.name for p in folder.iterdir()) == ["a.json"]
    assert not previous.exists()


def test_pruning_keeps_only_the_newest_entries(tmp_path, cache_home, monkeypatch):
    monkeypatch.setattr(yaml_source, "CACHE_MAX_ENTRIES", 3)
    folder = cache_dir()
    folder.mkdir(parents=True)
    now = time.time()
    for i in range(6):
        entry = folder / f"{i}.json"
        entry.write_text("{}")
        os.utime(entry, (now - 60 * (6 - i),) * 2)  # 5.json is the newest
    prune_cache(folder, now=now)
    assert sorted(p.name for p in folder.iterdir()) == ["3.json", "4.json", "5.json"]


def _a_dead_pid() -> int:
    """The id of a process that has ended (a child we started and waited for)."""
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(child.stdout)
