"""Backup pruning deletes only the dated backups tco.files makes, never a plain `NAME.bak` (a user may have made it)."""

from __future__ import annotations

import os

from tco.files import KEEP_BACKUPS, backups_of, prune_backups, write_atomic


def test_a_bak_the_user_made_survives_any_number_of_writes(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("v0")
    mine = tmp_path / "report.csv.bak"
    mine.write_text("the user's own copy")
    for version in range(1, KEEP_BACKUPS + 4):
        write_atomic(target, f"v{version}")
    assert mine.read_text() == "the user's own copy"  # neither overwritten nor pruned
    dated = [b for b in backups_of(target) if b != mine]
    assert len(dated) == KEEP_BACKUPS
    assert all(b.name.startswith("report.csv.") and b.name.endswith(".bak") and b.name != mine.name for b in dated)
    assert [b.read_text() for b in dated] == [f"v{v}" for v in range(KEEP_BACKUPS + 2, 2, -1)]


def test_prune_deletes_dated_backups_beyond_the_newest_and_leaves_other_names(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("now")
    names = [f"out.csv.20260101-0000{i:02d}.bak" for i in range(KEEP_BACKUPS + 2)]
    for i, name in enumerate(names):
        (tmp_path / name).write_text(name)
        stamp = 1_700_000_000 + i
        os.utime(tmp_path / name, (stamp, stamp))
    for other in ("out.csv.bak", "out.csv.old.bak", "out.csv.2026.bak"):
        (tmp_path / other).write_text("keep")
    removed = prune_backups(target)
    assert sorted(p.name for p in removed) == names[:2]
    assert all((tmp_path / other).exists() for other in ("out.csv.bak", "out.csv.old.bak", "out.csv.2026.bak"))
