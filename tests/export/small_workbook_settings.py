"""The small test workbook (tests/export/data/small.yaml) that several modules evaluate: its settings in one place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SMALL = Path(__file__).parent / "data" / "small.yaml"
TODAY = dt.date(2026, 11, 27)
MONTH_ROWS = 12
"""Month rows of the small test workbook: its 6-month horizon can grow to 12, and 6 rows past it show that months
beyond the horizon cost nothing; fewer than the default (twice the horizon) keeps its evaluation quick."""
GROUP = "small-workbook"
"""The xdist group of every test that evaluates the small workbook: one worker reads it once for them all."""
