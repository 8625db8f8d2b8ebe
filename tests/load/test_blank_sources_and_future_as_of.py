"""A source of only spaces, and an `as_of` after today, are refused in the user's hardware files and price sheets.

Why: `source: "   "` made figures pass as sourced; `as_of: 2062-11-01` (for 2026) is a typo the staleness
warnings and price histories then trusted. The loaders pass today's date in; the models never read the clock.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tco.errors import TcoUserError
from tco.load.hardware import load_hardware
from tco.load.pricing import load_provider, read_sheet

TODAY = dt.date(2026, 12, 7)

SHEET = """schema_version: 1
id: acme
name: Acme AI
source: {source}
as_of: "{as_of}"
models:
  - id: acme-large
    prices:
      - input_usd_per_million_tokens: 1.5
        as_of: "{entry_as_of}"
"""

OFFER = """schema_version: 1
offers:
- id: myco:8xh100
  cloud: myco
  instance_type: 8xh100
  gpu: h100-sxm
  gpu_count: 8
  on_demand_usd_per_hour: 16.0
  sources:
  - covers: [on_demand_usd_per_hour]
    source: {source}
    as_of: '{as_of}'
"""


def _sheet(tmp_path: Path, source='"https://acme.example"', as_of="2026-11-01", entry_as_of="2026-11-01") -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(SHEET.format(source=source, as_of=as_of, entry_as_of=entry_as_of))
    return path


def _sheet_problems(tmp_path, **fields) -> list[tuple]:
    path = _sheet(tmp_path, **fields)
    with pytest.raises(TcoUserError) as caught:
        load_provider("acme", [tmp_path], today=TODAY)
    return [(p.file, p.line, p.field, p.message) for p in caught.value.problems if p.file == str(path)]


def test_a_blank_sheet_source_is_refused_at_its_line(tmp_path):
    [(_, line, field, message)] = _sheet_problems(tmp_path, source='"   "')
    assert (line, field) == (4, "source") and message.startswith("must not be blank")


@pytest.mark.parametrize("where, line, field", [("as_of", 5, "as_of"), ("entry_as_of", 10, "models[0].prices[0].as_of")])
@pytest.mark.parametrize("date", ["2026-12-09", "2027-01", "2062"])
def test_an_as_of_after_today_is_refused_in_a_users_sheet(tmp_path, where, line, field, date):
    [(_, got_line, got_field, message)] = _sheet_problems(tmp_path, **{where: date})
    assert (got_line, got_field) == (line, field)
    assert message.startswith(f"{date} is in the future (today is 2026-12-07)")


@pytest.mark.parametrize("date", ["2026-12-07", "2026-12-08", "2026-12", "2026"])
def test_today_a_day_ahead_in_utc_and_a_month_or_year_that_has_begun_are_accepted(tmp_path, date):
    _sheet(tmp_path, as_of=date, entry_as_of=date)
    assert load_provider("acme", [tmp_path], today=TODAY).as_of == date


def test_read_sheet_alone_does_not_read_the_clock(tmp_path):
    assert read_sheet(_sheet(tmp_path, as_of="2062-01-01")).as_of == "2062-01-01"  # the bundled sheets' path


def _hardware_problems(tmp_path, **fields) -> list[tuple]:
    base, user = tmp_path / "base", tmp_path / "hw"
    base.mkdir(), user.mkdir()
    (user / "my.yaml").write_text(OFFER.format(**{"source": "https://myco.example", "as_of": "2026-11-01", **fields}))
    with pytest.raises(TcoUserError) as caught:
        load_hardware(base, extra_dirs=[user], today=TODAY)  # an empty base stands for the bundled folder
    return [(p.line, p.field, p.message) for p in caught.value.problems if p.file == str(user / "my.yaml")]


def test_a_blank_offer_source_is_refused_at_its_line(tmp_path):
    [(line, field, message)] = _hardware_problems(tmp_path, source='"  "')
    assert (line, field) == (11, "offers[0].sources[0].source") and message.startswith("must not be blank")


def test_an_offer_as_of_after_today_is_refused_at_its_line(tmp_path):
    [(line, field, message)] = _hardware_problems(tmp_path, as_of="2099-11-01")
    assert (line, field) == (12, "offers[0].sources[0].as_of")
    assert message.startswith("2099-11-01 is in the future (today is 2026-12-07)")
