"""Time-of-day variant names (`utc-HHMM-HHMM[+HHMM-HHMM...]`) in a price sheet are checked when the sheet is read.

Why: the engine reads the windows from the name; `utc-2500-0100` crashed `tco run` (IndexError), `utc-0190-0200` was
priced as 02:30, and `utc-2300-2400` made the window loop never end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tco.errors import TcoUserError
from tco.load.pricing import read_sheet

SHEET = """schema_version: 1
id: acme
name: Acme AI
source: "https://acme.example/pricing"
as_of: "2026-11-01"
models:
  - id: acme-large
    prices:
      - input_usd_per_million_tokens: 1.5
        output_usd_per_million_tokens: 6
    variants:
      {name}:
        - input_usd_per_million_tokens: 1
"""


def _sheet(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(SHEET.format(name=name))
    return path


@pytest.mark.parametrize("name, says", [
    ("utc-2500-0100", "the start of `2500-0100` is no time of day"),
    ("utc-2400-0000", "(midnight is 0000)"),
    ("utc-2300-2400", "the end of `2300-2400` is no time of day"),
    ("utc-0190-0200", "minutes 00-59"),
    ("utc-abcd-0100", "`abcd-0100` is not a UTC window HHMM-HHMM"),
    ("utc-0100-0400+0600", "`0600` is not a UTC window"),
    ("utc-0100-0100", "the window is empty"),
])
def test_a_variant_name_that_is_no_utc_window_is_refused_at_its_line(tmp_path, name, says):
    path = _sheet(tmp_path, name)
    with pytest.raises(TcoUserError) as caught:
        read_sheet(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), 12, f"models[0].variants.{name}")
    assert says in problem.message and name in problem.message


@pytest.mark.parametrize("name", ["utc-0100-0400", "utc-2200-0200", "utc-0000-2359", "utc-0100-0400+0600-1000", "batch"])
def test_real_windows_and_other_variants_are_read(tmp_path, name):
    assert list(read_sheet(_sheet(tmp_path, name)).models[0].variants) == [name]
