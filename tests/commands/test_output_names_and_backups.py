"""Outputs of `tco run` / `tco export` / `tco sweep`: never into an input folder, backups named on stderr, and output
names that are empty or contradict --format refused before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tco" / "examples" / "customer-support.yaml"
USER_SHEET = ROOT / "tests" / "data" / "pricing" / "user" / "acme-private.yaml"


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


@pytest.fixture
def pricing_dir(tmp_path) -> Path:
    """A price folder with a sheet the scenario never names: it is not read (sheets are loaded lazily)."""
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / USER_SHEET.name).write_bytes(USER_SHEET.read_bytes())
    return folder


@pytest.mark.parametrize("flag", ["-o", "--xlsx"])
def test_run_output_onto_an_unread_sheet_of_the_pricing_dir_is_refused(scenario, pricing_dir, capsys, flag):
    sheet = pricing_dir / USER_SHEET.name
    before = sheet.read_bytes()
    code = main(["run", str(scenario), "--pricing-dir", str(pricing_dir), flag, str(sheet)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert f"{sheet}: is an input of this command" in err and "refusing to write over it" in err
    assert sheet.read_bytes() == before and sorted(p.name for p in pricing_dir.iterdir()) == [USER_SHEET.name]


def test_export_onto_an_unread_sheet_is_refused(scenario, pricing_dir, capsys):
    sheet = pricing_dir / USER_SHEET.name
    before = sheet.read_bytes()
    assert main(["export", str(scenario), "--pricing-dir", str(pricing_dir), "--xlsx", str(sheet)]) == ExitCode.BAD_INPUT
    assert "is an input of this command" in capsys.readouterr().err
    assert sheet.read_bytes() == before


def test_a_new_yaml_file_in_an_input_folder_is_refused_and_other_names_are_not(scenario, pricing_dir, tmp_path, capsys):
    """A YAML output there would be read as a price sheet (or hardware file) by the next run."""
    hardware = tmp_path / "hardware"
    hardware.mkdir()
    for folder_flag, folder in (("--pricing-dir", pricing_dir), ("--hardware-dir", hardware)):
        code = main(["run", str(scenario), "--no-breakeven", folder_flag, str(folder), "--format", "json", "-o", str(folder / "new.yml")])
        assert code == ExitCode.BAD_INPUT and "is an input of this command" in capsys.readouterr().err
        assert not (folder / "new.yml").exists()
    assert main(["run", str(scenario), "--no-breakeven", "--pricing-dir", str(pricing_dir), "--format", "csv",
                 "-o", str(pricing_dir / "out.csv")]) == 0
    assert (pricing_dir / "out.csv").exists()


def test_a_replaced_output_names_its_backup_on_stderr(scenario, capsys):
    out = scenario.parent / "table.csv"
    out.write_text("the user's own table\n")
    assert main(["run", str(scenario), "--no-breakeven", "--format", "csv", "-o", str(out)]) == 0
    assert f"{out}: the previous file is kept as {out}.bak" in capsys.readouterr().err
    assert (scenario.parent / "table.csv.bak").read_text() == "the user's own table\n"


def test_a_new_output_says_nothing_about_a_backup(scenario, capsys):
    assert main(["run", str(scenario), "--no-breakeven", "--format", "csv", "-o", str(scenario.parent / "new.csv")]) == 0
    assert "kept as" not in capsys.readouterr().err


def test_export_names_the_backup_of_the_workbook_it_replaced(scenario, capsys):
    book = scenario.parent / "book.xlsx"
    book.write_bytes(b"a hand-made workbook")
    assert main(["export", str(scenario), "--xlsx", str(book)]) == 0
    assert f"(previous file kept as {book}.bak)" in capsys.readouterr().err
    assert (scenario.parent / "book.xlsx.bak").read_bytes() == b"a hand-made workbook"


@pytest.mark.parametrize("argv", [["run", "--no-breakeven", "-o", ""], ["run", "--xlsx", ""], ["export", "--xlsx", ""],
                                  ["sweep", "--vary", "finance.horizon_months=12,24", "-o", " "]])
def test_an_empty_output_name_is_refused(scenario, capsys, argv):
    code = main([argv[0], str(scenario), *argv[1:]])
    captured = capsys.readouterr()
    assert code == ExitCode.BAD_INPUT, captured.err
    assert "the file name is empty" in captured.err and captured.out == ""


@pytest.mark.parametrize("fmt, name", [("parquet", "x.csv"), ("csv", "x.parquet"), ("json", "x.csv"), ("table", "x.csv"),
                                       ("focus", "x.json")])
def test_an_output_name_that_contradicts_the_format_is_refused_and_nothing_written(scenario, capsys, fmt, name):
    code = main(["run", str(scenario), "--no-breakeven", "--format", fmt, "-o", str(scenario.parent / name)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT and f"is named {Path(name).suffix} but --format {fmt} writes" in err
    assert not (scenario.parent / name).exists()


@pytest.mark.parametrize("fmt, name", [("csv", "x.csv"), ("json", "x.json"), ("parquet", "x.parquet"), ("table", "x.txt"),
                                       ("focus", "x.parquet"), ("csv", "x")])
def test_an_output_name_that_fits_the_format_is_written(scenario, capsys, fmt, name):
    assert main(["run", str(scenario), "--no-breakeven", "--format", fmt, "-o", str(scenario.parent / name)]) == 0
    assert (scenario.parent / name).exists()
