"""What the user-facing documents (README.md, hardware/README.md) say about the program, checked against it.

A sentence a reader acts on (which sheets finance gets, which examples assume a GPU price fall, whether
committed offers are used) must stay true when the code or the examples move.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tco.cli import main
from tco.run import example_files

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8").replace("\n  ", " ")


def test_the_readme_names_every_sheet_of_the_exported_workbook(tmp_path):
    """The `tco export` row once listed six sheets; the workbook also has `Chart data` (the charts' figures)."""
    import openpyxl

    out = tmp_path / "book.xlsx"
    example = next(f for f in example_files() if f.name == "customer-support.yaml")
    assert main(["export", str(example), "--as-of", "2026-11-27", "--xlsx", str(out)]) == 0
    listed = re.search(r"\| the finance workbook: ([^;]+);", _readme()).group(1)
    names = {re.sub(r" \(.*\)", "", n).strip() for n in listed.split(",")}
    sheets = {"`Calc <scenario id>`" if s.startswith("Calc ") else s for s in openpyxl.load_workbook(out).sheetnames}
    assert names == sheets


def test_the_readme_names_the_examples_that_do_not_assume_the_gpu_price_fall():
    """README: "the bundled examples but `regulated.yaml` assume -15 % a year"; regulated.yaml sets no GPU price change."""
    sentence = re.search(r"the bundled examples(?: but ([^ ]+))? assume -15 % a year", _readme())
    assert sentence
    named = set(re.findall(r"`([^`]+)`", sentence.group(1) or ""))
    without = set()
    for path in example_files():
        for scenario in yaml.safe_load(path.read_text())["scenarios"]:
            if scenario.get("finance", {}).get("gpu_price_change_per_year") != -0.15:
                without.add(path.name)
    assert named == without


def test_the_hardware_readme_does_not_call_committed_offers_unused_while_an_example_prices_from_one():
    from tco.load.hardware import load_hardware

    committed = set(load_hardware().committed_offers)
    used = {o for path in example_files() for o in re.findall(r"offer: \"([^\"]+)\"", path.read_text()) if o in committed}
    assert used, "commitments.yaml prices its reserved base from a committed offer"
    row = next(line for line in (ROOT / "hardware" / "README.md").read_text().splitlines()
               if line.startswith("| `offers/committed/"))
    assert "not yet used" not in row and "mode: reserved, offer:" in row


def test_the_readme_quotes_today_s_counts_of_tco_bench_throughput(tmp_path, capsys):
    """The bench's 1,000 rows cycle through every model x GPU pair: the counts move with the catalog."""
    import csv
    import json

    from tco.bench.throughput_speed import batch_rows
    from tco.load.hardware import load_hardware

    runnable, refused, pairs = map(int, re.search(r"(\d+) rows with a figure and (\d+) with the reason they cannot run "
                                                  r"\([\d-]+, (\d+) model x GPU pairs\)", _readme()).groups())
    catalog = load_hardware()
    rows = batch_rows(catalog.models, catalog.gpus)
    path = tmp_path / "configs.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["throughput", "--batch", str(path), "--format", "json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert pairs == len(catalog.models) * len(catalog.gpus)
    assert (runnable, refused) == (sum(r["runnable"] for r in results), sum(not r["runnable"] for r in results))


def test_tco_breakeven_help_names_every_kind_of_option_it_lists(capsys):
    """`tco breakeven` lists every option that is not pay-per-token, api-provisioned ones included (commitments.yaml's
    `gpt-4.1-ptu`); its help once said "each self-hosted or hybrid option"."""
    import json

    example = next(f for f in example_files() if f.name == "commitments.yaml")
    assert main(["breakeven", str(example), "--as-of", "2026-11-27", "--format", "json"]) == 0
    kinds = {r["kind"] for r in json.loads(capsys.readouterr().out)}
    assert "api-provisioned" in kinds
    assert main(["breakeven", "--help"]) == 0
    description = " ".join(capsys.readouterr().out.split())
    assert main(["--help"]) == 0
    summary = " ".join(capsys.readouterr().out.split())
    for kind in kinds:
        word = {"api-provisioned": "provisioned-API"}.get(kind, kind)
        assert word in description and word in summary, kind


def test_as_of_dates_only_the_scenarios_without_a_start_date_as_its_help_says(tmp_path, capsys):
    """`--as-of` once read "the date that picks prices in force": a bundled example (all have a start_date) gives the
    same totals at any --as-of; the same file without its start_date starts on --as-of and pays that day's prices."""
    import json

    example = next(f for f in example_files() if f.name == "coding-agent.yaml")
    undated = tmp_path / "undated.yaml"
    undated.write_text(re.sub(r"\n *start_date: [0-9-]+", "", example.read_text()))

    def totals(path, as_of):
        assert main(["run", str(path), "--no-breakeven", "--format", "json", "--as-of", as_of]) == 0
        return [r["total_cost_usd"] for r in json.loads(capsys.readouterr().out)]

    assert totals(example, "2025-01-01") == totals(example, "2026-11-27")
    assert totals(undated, "2025-01-01") != totals(undated, "2026-11-27")  # gpt-5 and claude cost more from 2025
    for command in ("run", "tui"):
        assert main([command, "--help"]) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "start of scenarios without finance.start_date" in text, command


def test_the_workbook_about_sheet_describes_the_break_even_search_the_sheets_hold(tmp_path):
    """The About sheet once described "five search steps ... then secant steps"; the sheets hold six search points,
    a three-point look-back and two safe steps up (tco/export/breakeven_search.py)."""
    import openpyxl

    out = tmp_path / "small.xlsx"
    assert main(["export", str(ROOT / "tests" / "export" / "data" / "small.yaml"), "--as-of", "2026-11-27",
                 "--xlsx", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row and row[0]}
    labels = {v for ws in book.worksheets if ws.title.startswith("Calc ") for row in ws.iter_rows(values_only=True)
              for v in row if isinstance(v, str) and v.startswith("search_") and v.endswith("_requests_per_day")}
    search = len({v for v in labels if re.fullmatch(r"search_\d+_requests_per_day", v)})
    back = len({v for v in labels if v.startswith("search_back_")})
    up = len({v for v in labels if v.startswith("search_up_")})
    assert (search, back, up) == (6, 3, 2)
    text = about["break-even volume"]
    assert f"{search} points from the volume llm-tco exported" in text
    assert f"a look-back of {back} points" in text and f"{up} safe steps up" in text
    assert about["run date (--as-of)"].startswith("2026-11-27")


def test_the_about_sheet_lists_every_function_the_formulas_call(tmp_path):
    """The About sheet once listed 8 functions (IF, SUM, MIN, MAX, ROUNDUP, INDEX/MATCH, IFERROR, SUMPRODUCT) while the
    formulas also call ROUND, EDATE, ABS, ISNUMBER, AND, TEXT...: a reader checking compatibility needs the whole list."""
    import openpyxl

    examples = [f for f in example_files() if f.name in ("growing-product.yaml", "customer-support.yaml")]
    out = tmp_path / "book.xlsx"
    assert main(["export", *map(str, examples), "--as-of", "2026-11-27", "--xlsx", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    called = {name for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
              if isinstance(v, str) and v.startswith("=") for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", v)}
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row and row[0]}
    listed = set(re.findall(r"\b[A-Z][A-Z0-9.]+\b", about["functions"].split(";")[0].split(":", 1)[1]))
    assert {"ROUND", "EDATE", "ABS", "ISNUMBER"} <= called
    assert called <= listed, sorted(called - listed)


def test_the_workbook_doc_gives_the_calculations_sheet_width_of_its_example(tmp_path):
    """docs/workbook/README.md once said the Calculations sheets "have about 100 columns"; the break-even search
    blocks made them hundreds wide. Its example, tests/export/data/small.yaml with a fiscal year from April (the
    images' OVERRIDES), is checked here; the month, date and fiscal-year columns repeat on every printed page."""
    import openpyxl

    from tco.bench.workbook_images import EXAMPLE, OVERRIDES

    out = tmp_path / "small.xlsx"
    argv = ["export", str(EXAMPLE), "--as-of", "2026-11-27", "--xlsx", str(out)]
    for override in OVERRIDES:
        argv += ["--set", override]
    assert main(argv) == 0
    calc = next(ws for ws in openpyxl.load_workbook(out).worksheets if ws.title.startswith("Calc "))
    stated = re.search(r"hundreds of columns \(([\d,]+) for\s+`small.yaml`", (ROOT / "docs" / "workbook" / "README.md").read_text())
    assert stated and int(stated.group(1).replace(",", "")) == calc.max_column
    assert calc.print_title_cols == "$A:$C"


@pytest.mark.slow
def test_the_readme_quotes_today_s_size_of_the_30_scenario_bench_workbook(capsys):
    """`tco bench export --scenarios 30`: the README's formula count and size are the workbook's of today (the
    dated 2026-12-02 figures, 1,097,256 cells and 10.2 MB, are what it was then)."""
    import json

    assert main(["bench", "export", "--scenarios", "30", "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    quoted = re.search(r"On 2026-12-08, on a quiet machine: ([\d,]+) formula cells, ([\d.]+) MB", _readme())
    assert quoted
    assert int(quoted.group(1).replace(",", "")) == row["formula_cells"]
    assert float(quoted.group(2)) == round(row["workbook_mb"], 1)
