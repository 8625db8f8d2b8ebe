"""YAML 1.1 number forms (`1:30` base 60, `0x10` hex, `0b11` binary) are kept as the text written, not read as numbers.

Why: PyYAML (YAML 1.1) read `input_tokens: 50:00` as 3000 and a price `0x10` as 16 without a word. Kept as text, a
number field refuses them at their line. `1_000` can only mean one thousand, so it is read as 1000.
"""

from __future__ import annotations

import pytest

from tco.errors import TcoUserError
from tco.load.pricing import read_sheet
from tco.load.yaml_source import parse_yaml

SHEET = """schema_version: 1
id: acme
name: Acme AI
source: "https://acme.example/pricing"
as_of: "2026-11-01"
models:
  - id: acme-large
    prices:
      - input_usd_per_million_tokens: {price}
"""


@pytest.mark.parametrize("written, read", [
    ("1:30", "1:30"), ("-1:30", "-1:30"), ("190:20:30", "190:20:30"), ("1:30.5", "1:30.5"),
    ("0x10", "0x10"), ("-0x1F", "-0x1F"), ("0b11", "0b11"),
    ("1_000", 1000), ("-010", -10), ("010", 10), ("1_000.5", 1000.5), ("12", 12), ("1.5", 1.5), (".inf", float("inf")),
])
def test_a_scalar_is_read_as_a_person_means_it(written, read):
    data, _ = parse_yaml(f"a: {written}\n{written}: key", "x.yaml")
    assert data["a"] == read and type(data["a"]) is type(read)
    assert str(read) in data  # as a key too


@pytest.mark.parametrize("price", ["1:30", "0x10", "0b11"])
def test_a_sheet_price_in_a_yaml11_form_is_refused_at_its_line(tmp_path, price):
    path = tmp_path / "acme.yaml"
    path.write_text(SHEET.format(price=price))
    with pytest.raises(TcoUserError) as caught:
        read_sheet(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (9, "models[0].prices[0].input_usd_per_million_tokens")
    assert problem.message == f"must be a number (got '{price}')"


def test_a_price_with_underscores_is_read(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(SHEET.format(price="1_000"))
    assert read_sheet(path).models[0].prices[0].input_usd_per_million_tokens == 1000


def test_a_value_typed_in_the_ui_or_given_to_vary_keeps_a_yaml11_form_as_text():
    """The terminal UI's typed values and `tco sweep --vary` read their text as YAML too: `1:30` stays text there as
    well (the field then refuses it, as it refuses `--set ...=1:30`), while 5000 and 1e3 stay numbers."""
    from tco.commands.sweep import parse_vary
    from tco.tui.session import parse_scalar

    assert [parse_scalar(t) for t in ("1:30", "0x10", "5000", "1e3")] == ["1:30", "0x10", 5000, 1000.0]
    assert parse_vary("workload.requests_per_day=1:30,5000")[2] == ["1:30", 5000]


def test_a_zero_padded_number_is_decimal_in_vary_and_the_ui_as_in_a_file_and_set():
    """`tco sweep --vary finance.horizon_months=012,024` evaluated 10 and 20 months (YAML 1.1 octal), where the same
    text in a file or in `--set` is 12 and 24, and `--vary` says "same syntax as --set"; the UI read a typed `012` as
    10 too. All four read one way now."""
    from tco.commands.sweep import parse_vary
    from tco.load.scenarios import override_value
    from tco.tui.session import parse_scalar

    texts = ("012", "-010", "0100", "1_000", "5000")
    assert parse_vary("finance.horizon_months=" + ",".join(texts))[2] == [12, -10, 100, 1000, 5000]
    assert [parse_scalar(t) for t in texts] == [override_value(t) for t in texts] == [12, -10, 100, 1000, 5000]
