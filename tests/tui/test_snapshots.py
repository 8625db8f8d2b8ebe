"""A few SVG snapshots at fixed sizes, with a fixed date, no cursor blink and no timings on screen.

Each snapshot needs a human to read its diff when it changes: keep them few. Update with
`pytest tests/tui/test_snapshots.py --snapshot-update` after checking the new picture.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import DATA, TODAY, open_app  # noqa: E402

from tco.tui.app import TcoApp  # noqa: E402

SID = "tui-support"


def make_app(tmp_path: Path) -> TcoApp:
    # a stable file name: the path shows nowhere on these screens, but keep it fixed anyway
    target = tmp_path / "support.yaml"
    shutil.copy(DATA / "support.yaml", target)
    return TcoApp([target], today=TODAY, deterministic=True)


async def settle(pilot) -> None:
    await open_app(pilot, SID)
    pilot.app.screen.query_one("#costs", DataTable).focus()
    await pilot.pause(0.2)


def test_comparison_at_80_by_24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_comparison_at_120_by_36(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 36), run_before=settle)


def test_explanation_of_a_self_hosted_total_at_120_by_36(snap_compare, tmp_path):
    async def run_before(pilot):
        await settle(pilot)
        table = pilot.app.screen.query_one("#costs", DataTable)
        table.cursor_coordinate = (table.get_row_index("llama-70b"), table.get_column_index("total_cost_usd"))
        await pilot.press("e")
        await pilot.pause(0.2)

    assert snap_compare(make_app(tmp_path), terminal_size=(120, 36), run_before=run_before)


def test_long_option_names_keep_the_total_visible_at_80_by_24(snap_compare, tmp_path):
    app = make_app(tmp_path)
    path = app.files[0]
    path.write_text(path.read_text().replace("id: llama-70b", "id: llama-3.3-70b-on-two-h100-sxm-rented-on-demand"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
