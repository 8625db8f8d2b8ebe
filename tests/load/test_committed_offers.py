"""Committed offers (issue 21 item 1): every reserved / committed price in hardware/offers/committed/ is sourced and
dated, per-GPU and per-instance prices agree, and `tco offers list --term` lists them without touching on-demand rows.

Expected figures were read by hand from /work/shared/data/gpu-offers/reserved_prices.csv (2026-12-02) and its README.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tco.cli import main
from tco.errors import ExitCode
from tco.load.hardware import load_hardware
from tco.paths import bundled_dir

SHARED_CSV = Path("/work/shared/data/gpu-offers/reserved_prices.csv")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_csv_row_is_in_the_catalog_once(catalog):
    # 402 rows in the shared table (its README); none left out, ids unique by construction of the dict.
    assert len(catalog.committed_offers) == 402
    per_cloud = {}
    for offer in catalog.committed_offers.values():
        per_cloud[offer.cloud] = per_cloud.get(offer.cloud, 0) + 1
    # README "Sources": AWS 59 + 49 + 5 Capacity Blocks + 114 RIs; Google 154; Hyperstack 10; DigitalOcean 5; Lambda 6.
    assert per_cloud == {"aws": 227, "gcp": 154, "hyperstack": 10, "do": 5, "lambda": 6}


def test_every_committed_price_has_a_source_and_a_date(catalog):
    for offer in catalog.committed_offers.values():
        covered = {name for s in offer.sources for name in s.covers}
        assert {"committed_usd_per_instance_hour", "committed_usd_per_gpu_hour"} <= covered, offer.id
        if offer.on_demand_usd_per_gpu_hour is not None:
            assert "on_demand_usd_per_gpu_hour" in covered, offer.id
        for s in offer.sources:
            assert s.source.startswith("https://") and PARTIAL_DATE.match(s.as_of), offer.id
        assert offer.minimum_commitment.strip() and offer.term_as_published.strip(), offer.id


def test_per_gpu_price_is_the_instance_price_over_the_gpu_count_everywhere(catalog):
    for offer in catalog.committed_offers.values():
        assert offer.committed_usd_per_gpu_hour == pytest.approx(
            offer.committed_usd_per_instance_hour / offer.gpu_count, rel=1e-3), offer.id


def test_hand_checked_rows(catalog):
    # AWS Capacity Block, GB200 UltraServer of 72 GPUs: both rates printed; 72 x 10.582 = 761.904.
    ultra = catalog.committed_offers["aws:u-p6e-gb200x72:us-east-1-dfw-2a:block:2026-07-22"]
    assert (ultra.gpu, ultra.gpu_count, ultra.term, ultra.payment_option) == ("gb200", 72, "block", "all-upfront")
    assert ultra.committed_usd_per_instance_hour == 761.904 and 72 * 10.582 == pytest.approx(761.904)
    assert ultra.committed_usd_per_gpu_hour == 10.582
    # AWS 3-year Standard RI, all upfront, p5.48xlarge us-east-1: 20.695053 / 8 = 2.586881625 -> 2.586882.
    ri = catalog.committed_offers["aws:p5.48xlarge:us-east-1:3y:standard:all-upfront"]
    assert ri.committed_usd_per_instance_hour == 20.695053 and ri.committed_usd_per_gpu_hour == 2.586882
    assert 20.695053 / 8 == pytest.approx(2.586882, abs=5e-7)
    assert (ri.on_demand_usd_per_instance_hour, ri.on_demand_usd_per_gpu_hour) == (55.04, 6.88)  # 55.04 / 8 = 6.88
    # Google 1-year CUD, a3-highgpu-8g us-central1: printed per 730-hour month, 44810.08066464 / 730 = 61.3836721...
    cud = catalog.committed_offers["gcp:a3-highgpu-8g:us-central1:1y"]
    assert cud.committed_usd_per_instance_hour == pytest.approx(44810.08066464 / 730, abs=5e-7)
    assert cud.committed_usd_per_gpu_hour == pytest.approx(44810.08066464 / 730 / 8, abs=5e-7)
    assert (cud.payment_option, cud.price_basis) == ("no-upfront", "instance-month")
    # Lambda 1-Click Cluster, 16 x H100 tier: printed per GPU-hour 6.16; 16 x 6.16 = 98.56 per cluster-hour.
    lam = catalog.committed_offers["lambda:1-click-cluster-h100-16-gpus:contract"]
    assert (lam.gpu_count, lam.committed_usd_per_gpu_hour, lam.committed_usd_per_instance_hour) == (16, 6.16, 98.56)


def test_rows_the_readme_doubts_carry_a_caution(catalog):
    offers = catalog.committed_offers
    for offer in offers.values():
        doubted = offer.cloud in ("do", "lambda", "hyperstack") or offer.sources[0].as_of == "2024"
        assert (offer.caution is not None) == doubted, offer.id
    assert "above Lambda's 2026 on-demand" in offers["lambda:1-click-cluster-h100-16-gpus:contract"].caution
    # MI350X had no id in specs/gpus.csv when the table was written; it maps to the new catalog GPU.
    assert offers["do:amd-instinct-mi350x-gpu-droplet-per-gpu:1y"].gpu == "mi350x"


def test_older_captures_point_at_the_newest(catalog):
    # README caveat: p5.48xlarge us-east-1 Capacity Block at 39.33 (late 2024), 31.464 (2026-01-31), 41.528 (2026-07-22).
    offers = catalog.committed_offers
    newest = "aws:p5.48xlarge:us-east-1:block:2026-07-22"
    assert offers[newest].committed_usd_per_instance_hour == 41.528 and offers[newest].superseded_by is None
    assert offers["aws:p5.48xlarge:us-east-1:block:2026-01-31"].committed_usd_per_instance_hour == 31.464
    assert offers["aws:p5.48xlarge:us-east-1:block:2024"].committed_usd_per_instance_hour == 39.33
    assert offers["aws:p5.48xlarge:us-east-1:block:2026-01-31"].superseded_by == newest
    assert offers["aws:p5.48xlarge:us-east-1:block:2024"].superseded_by == newest


def test_term_1y_lists_the_committed_one_year_rows_with_source_and_date(capsys):
    code, out, err = run(capsys, ["offers", "list", "--term", "1y", "--format", "json"])
    assert code == 0, err
    rows = json.loads(out)
    # Shared table: 131 rows with term `1-year` plus 5 DigitalOcean `12-month` rows.
    assert len(rows) == 136
    assert all(r["term"] == "1y" and r["source"] and PARTIAL_DATE.match(r["as_of"]) for r in rows)
    prices = [r["committed_usd_per_gpu_hour"] for r in rows]
    assert prices == sorted(prices)  # cheapest GPU-hour first
    assert {"id", "cloud", "instance_type", "gpu_count", "region", "payment_option", "committed_usd_per_instance_hour",
            "minimum_commitment", "caution"} <= set(rows[0])


def test_term_filters_combine_with_gpu_and_cloud(capsys):
    code, out, _ = run(capsys, ["offers", "list", "--term", "block", "--gpu", "gb200", "--format", "json"])
    assert code == 0
    assert sorted(r["gpu_count"] for r in json.loads(out)) == [36, 72]  # the two UltraServer rows
    code, out, _ = run(capsys, ["offers", "list", "--term", "3y", "--cloud", "do", "--format", "json"])
    assert code == 0 and json.loads(out) == []  # DigitalOcean publishes only 12-month prices
    code, out, _ = run(capsys, ["offers", "list", "--term", "all", "--cloud", "lambda", "--format", "csv"])
    assert code == 0 and len(out.strip().splitlines()) == 1 + 6


def test_an_unknown_term_is_bad_input(capsys):
    code, _, err = run(capsys, ["offers", "list", "--term", "5y"])
    assert code == ExitCode.BAD_INPUT and "--term" in err and "Traceback" not in err


def test_the_on_demand_listing_is_unchanged(capsys):
    code, out, _ = run(capsys, ["offers", "list", "--format", "json"])
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 484  # 476 + the 8 daytona MI355X offers
    assert list(rows[0]) == ["id", "cloud", "instance_type", "gpu", "gpu_count", "on_demand_usd_per_gpu_hour",
                             "median_on_demand_usd_per_gpu_hour", "spot_usd_per_gpu_hour", "price_scope", "source", "as_of",
                             "caution", "sources"]  # added after the others (an id, a field, a column is a contract)


def test_a_per_gpu_price_that_disagrees_is_reported_with_file_and_line(tmp_path, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text("""schema_version: 1
committed_offers:
- id: mine:box:1y
  cloud: mine
  offering: test
  instance_type: box
  gpu: h100-sxm
  gpu_count: 8
  term: 1y
  term_as_published: 1-year
  payment_option: no-upfront
  payment_as_published: No upfront
  committed_usd_per_instance_hour: 40.0
  committed_usd_per_gpu_hour: 4.0
  price_basis: instance
  price_as_printed: '40.0'
  minimum_commitment: 1 instance
  source_quality: test
  sources:
  - covers: [committed_usd_per_instance_hour, committed_usd_per_gpu_hour]
    source: https://example.com
    as_of: '2026'
""")
    code, _, err = run(capsys, ["offers", "list", "--term", "all", "--hardware-dir", str(tmp_path)])
    assert code == ExitCode.BAD_INPUT
    assert (f"{bad}:14: committed_offers[0].committed_usd_per_gpu_hour: 4 x 8 GPUs = 32, not committed_usd_per_instance_hour 40 "
            "(the two must agree within 0.1 %)") in err and "Traceback" not in err


@pytest.mark.skipif(not SHARED_CSV.is_file(), reason="the shared data folder is not on this machine")
def test_importing_again_reproduces_the_committed_files_byte_for_byte(tmp_path, capsys):
    from tco.load.committed_offers_import import main as import_main

    assert import_main([str(SHARED_CSV), "--out", str(tmp_path)]) == 0
    bundled = bundled_dir("hardware") / "offers" / "committed"
    written = sorted(p.name for p in tmp_path.glob("*.yaml"))
    assert written == sorted(p.name for p in bundled.glob("*.yaml"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (bundled / name).read_bytes(), name


def test_the_import_stops_on_a_term_it_does_not_know(tmp_path, capsys):
    from tco.load.committed_offers_import import main as import_main

    if not SHARED_CSV.is_file():
        pytest.skip("the shared data folder is not on this machine")
    lines = SHARED_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = tmp_path / "reserved_prices.csv"
    changed.write_text(lines[0] + lines[1].replace("Capacity Block (1-182 days)", "5-year"), encoding="utf-8")
    assert import_main([str(changed), "--out", str(tmp_path / "out")]) == 2
    assert f"{changed}:2: unknown term `5-year`" in capsys.readouterr().err
    assert not (tmp_path / "out" / "aws.yaml").exists()
    shutil.rmtree(tmp_path / "out", ignore_errors=True)


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared table not on this machine")
def test_a_file_in_an_out_folder_of_the_user_is_kept_as_a_backup(tmp_path, capsys):
    """`--out DIR` may hold the user's own files: one the import replaces is kept as NAME.bak, as every output is."""
    from tco.load.committed_offers_import import main as import_main

    mine = tmp_path / "aws.yaml"
    mine.write_text("# my negotiated AWS prices\n")
    assert import_main([str(SHARED_CSV), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "aws.yaml.bak").read_text() == "# my negotiated AWS prices\n"
    assert "committed_offers:" in mine.read_text()
