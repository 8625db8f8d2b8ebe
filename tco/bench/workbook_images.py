"""Render what finance gets: the first printed page of every sheet of an example workbook, as PNG.

    python -m tco.bench.workbook_images [docs/workbook]

Needs LibreOffice (`soffice`) and poppler (`pdftoppm`, `pdftotext`) on the PATH; it is a docs
tool, not part of `tco`. The workbook of `tests/export/data/small.yaml` is exported, printed to
PDF by LibreOffice with the workbook's own print setup, and the first page of each sheet (found by
the sheet's title, cell A1, in the page's text) is saved as `<folder>/<sheet>.png`. The scenario gets a
fiscal year starting in April (`OVERRIDES`).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "tests" / "export" / "data" / "small.yaml"
TODAY = dt.date(2026, 11, 27)
OVERRIDES = ["finance.fiscal_year_start_month=4"]
"""A fiscal year from April, so the images show the fiscal-year column too."""


def render(folder: Path) -> list[Path]:
    from tco.export.excel import export_workbook
    from tco.run import run_scenarios

    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install -y --no-install-recommends libreoffice-calc-nogui poppler-utils")
    folder.mkdir(parents=True, exist_ok=True)
    results = run_scenarios([EXAMPLE], today=TODAY, overrides=OVERRIDES)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = export_workbook(results, tmp / "workbook.xlsx", month_rows=24)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(book)],
                       check=True, capture_output=True, timeout=300, env={"HOME": str(tmp), "PATH": "/usr/bin:/bin"})
        pdf = tmp / "workbook.pdf"
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
        import openpyxl

        wb = openpyxl.load_workbook(book)
        titles = [(ws.title, str(ws["A1"].value)) for ws in wb.worksheets]
        written, k = [], 0
        for page in range(1, pages + 1):
            if k == len(titles):
                break
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                  capture_output=True, text=True).stdout
            sheet, title = titles[k]
            # the page footer names its sheet on a line of its own: the title alone matched an Inputs page whose note
            # says "The Checks sheet flags a longer one", and the Checks image showed that page
            if title not in text or sheet not in {line.strip() for line in text.splitlines()}:  # a further page of the sheet before
                continue
            k += 1
            stem = folder / re.sub(r"[^a-z0-9]+", "-", sheet.lower()).strip("-")
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "150", "-png", "-singlefile", str(pdf), str(stem)], check=True)
            written.append(stem.with_suffix(".png"))
    return written


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tco.bench.workbook_images", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="docs/workbook", help="where the PNGs go (default: docs/workbook)")
    for path in render(Path(parser.parse_args().folder)):
        print(path)
