"""The bundled hardware catalog: complete, every figure sourced and dated, values as in the shared tables."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from tco.load.hardware import hardware_files, hardware_schema_text
from tco.load.yaml_source import load_yaml
from tco.paths import bundled_dir

PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
COST_CSV = Path("/work/shared/data/gpu-offers/capex_and_opex_sources.csv")


@pytest.fixture(scope="module")
def catalog(bundled_hardware):
    return bundled_hardware


def test_every_file_declares_its_schema_and_version():
    folder = bundled_dir("hardware")
    files = hardware_files(folder)
    assert len(files) >= 5
    for path in files:
        first = path.read_text().splitlines()[0]
        depth = len(path.relative_to(folder).parts) - 1
        assert first == f"# yaml-language-server: $schema={'../' * depth}schema/hardware.schema.json", path
        assert load_yaml(path)[0]["schema_version"] == 1


def test_the_committed_schema_is_current():
    committed = (bundled_dir("hardware") / "schema" / "hardware.schema.json").read_text()
    assert committed == hardware_schema_text(), "regenerate: tco schema hardware > hardware/schema/hardware.schema.json"


def test_required_ids_are_present(catalog):
    gpus = "a100-40gb a100-80gb h100-sxm h100-pcie h100-nvl h200 gh200 b200 gb200 l40s l4 a10g mi300x mi325x rtx-pro-6000 " \
           "a100-pcie-80gb h800 a10 l40 b300 gaudi3 gh200-144gb mi355x mi350x gb300 h200-nvl"
    models = "llama-3.1-8b llama-3.1-70b llama-3.3-70b llama-3.1-405b llama-4-scout llama-4-maverick mistral-7b mixtral-8x7b " \
             "mixtral-8x22b qwen2.5-72b qwen3-32b qwen3-30b-a3b qwen3-235b-a22b deepseek-v3 deepseek-r1 gpt-oss-20b gpt-oss-120b " \
             "gemma-3-27b llama-2-70b qwen3-8b qwen2.5-7b qwen3-coder-480b-a35b llama-3.2-3b llama-3.2-1b mistral-small-3.1-24b " \
             "mistral-large-2 gemma-3-12b phi-4 kimi-k2 glm-4.5 glm-4.5-air"
    assert set(gpus.split()) == set(catalog.gpus)
    assert set(models.split()) == set(catalog.models)


def test_counts_match_the_shared_tables(catalog):
    # 485 summary rows minus 1 Gaudi 2 (no GPU record); 631 TensorRT-LLM measurement rows plus
    # 336 InferenceX rows minus the 3 with total tokens/s only (README-inferencex.md); all 71 rows of
    # capex_and_opex_sources.csv: 51 purchase/operating figures and 20 grid carbon intensities.
    assert len(catalog.offers) == 484
    assert len(catalog.measurements) == 631 + 333
    assert len({m.id for m in catalog.measurements}) == 631 + 333
    assert len(catalog.cost_figures) == 51 + 20
    assert sum(f.unit.startswith("gCO2") for f in catalog.cost_figures.values()) == 20


def _figures(record) -> set[str]:
    return {
        name for name in type(record).model_fields
        if name not in record.unsourced_fields()
        and isinstance(getattr(record, name), (int, float)) and not isinstance(getattr(record, name), bool)
    }


@pytest.mark.parametrize("kind", ["gpus", "models", "offers", "cost_figures"])
def test_every_figure_is_covered_by_a_dated_source(catalog, kind):
    records = list(getattr(catalog, kind).values())
    assert records
    for record in records:
        covered = {name for s in record.sources for name in s.covers}
        assert _figures(record) <= covered, record.id
        for s in record.sources:
            assert s.source.strip() and PARTIAL_DATE.match(s.as_of), record.id


def test_every_measurement_has_a_source_and_a_date(catalog):
    for m in catalog.measurements:
        if m.id.startswith("inferencex:"):
            assert "InferenceX" in m.source and re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.as_of), m.id
            assert "https://github.com/SemiAnalysisAI/InferenceX/actions/runs/" in m.note, m.id
            continue
        assert m.source.startswith("github.com/NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md @")
        assert m.as_of == "2026" and "commit date not recorded" in m.note


def test_undated_sources_say_so(catalog):
    for gpu in catalog.gpus.values():
        for s in gpu.sources:
            if s.as_of == "2026":
                assert s.note and "no date" in s.note, gpu.id


def test_gpu_values_from_the_spec_table(catalog):
    h100 = catalog.gpus["h100-sxm"]
    assert (h100.memory_gb, h100.memory_bandwidth_tb_per_s, h100.dense_bf16_tflops, h100.dense_fp8_tflops) == (80, 3.35, 989, 1979)
    assert h100.architecture == "hopper" and h100.dense_fp4_tflops is None
    assert catalog.gpus["gh200"].memory_gb == 96 and catalog.gpus["gh200"].tdp_w is None
    assert catalog.gpus["gh200-144gb"].memory_gb == 144
    assert catalog.gpus["rtx-pro-6000"].dense_fp4_tflops == 2000  # NVIDIA's sparse 4 PFLOPS halved
    assert catalog.gpus["a10g"].dense_bf16_tflops is None  # unknown, not zero
    assert catalog.gpus["l40s"].architecture == "ada" and catalog.gpus["mi300x"].architecture == "cdna3"
    assert catalog.gpus["gaudi3"].vendor == "Intel" and catalog.gpus["gaudi3"].architecture == "gaudi"
    assert catalog.gpus["h100-pcie"].sources[-1].as_of == "2022-11"


def test_model_values_from_the_spec_table(catalog):
    v3 = catalog.models["deepseek-v3"]
    assert (v3.attention, v3.mla_kv_lora_rank, v3.mla_qk_rope_head_dim, v3.num_kv_heads) == ("mla", 512, 64, None)
    assert (v3.total_params_b, v3.active_params_b, v3.num_layers, v3.num_moe_layers) == (671, 37, 61, 58)
    r1 = catalog.models["deepseek-r1"]
    assert (r1.num_layers, r1.mla_kv_lora_rank, r1.sources[0].source) == (61, 512, v3.sources[0].source)
    assert catalog.models["llama-3.1-70b"].num_kv_heads == 8
    gemma = catalog.models["gemma-3-27b"]
    assert (gemma.sliding_window_tokens, gemma.num_sliding_window_layers, gemma.num_layers) == (1024, 52, 62)
    oss = catalog.models["gpt-oss-120b"]
    assert (oss.sliding_window_tokens, oss.num_sliding_window_layers, oss.native_precision) == (128, 18, "mxfp4")
    assert catalog.models["kimi-k2"].num_moe_layers == 60
    assert catalog.models["llama-4-maverick"].num_moe_layers == 24
    assert catalog.models["qwen3-32b"].head_dim == 128 and catalog.models["qwen3-32b"].context_length_tokens == 32768
    assert catalog.models["llama-3.1-8b"].context_length_tokens is None  # the shared row states none


def test_offer_prices_per_gpu_hour_are_the_instance_price_divided_by_the_gpu_count(catalog):
    checked = 0
    for offer in catalog.offers.values():
        if offer.on_demand_usd_per_hour is not None:
            assert offer.on_demand_usd_per_gpu_hour == pytest.approx(offer.on_demand_usd_per_hour / offer.gpu_count, abs=6e-5), offer.id
            checked += 1
    assert checked > 400


def test_offer_values_from_the_summary(catalog):
    p5 = catalog.offers["aws:p5.48xlarge"]
    assert (p5.gpu, p5.gpu_count, p5.price_scope) == ("h100-sxm", 8, "instance")
    l4 = catalog.offers["gcp:g2-standard-L4-host:8"]
    assert (l4.gpu, l4.price_scope) == ("l4", "gpu_only")
    assert catalog.offers["gcp:a3-highgpu-8g:gpu-only"].price_scope == "gpu_only"
    assert catalog.offers["gcp:a3-highgpu-8g:host-plus-gpu"].price_scope == "host_plus_gpu"
    azure = [o for o in catalog.offers.values() if o.cloud == "azure"]
    assert azure and all(o.sources[0].as_of == "2026-05-20" for o in azure)
    assert catalog.offers["runpod:8x_MI300X_SECURE"].gpu == "mi300x"
    assert "placeholder" in catalog.offers["mithril:h100-80gb.sxm.8x"].notes


def test_hyperstack_h100_on_demand_is_the_newest_dated_page_not_the_older_catalog(catalog):
    """Shared gpu-offers/reserved_prices.csv, Hyperstack rows (page transcribed 2026-08-26, api-evangelist/nexgen-cloud
    @0fa0509e): "NVIDIA H100" on demand 2.50, "NVIDIA H100 NVLink" 2.60, "NVIDIA H100 SXM" 3.20 USD per GPU-hour. The
    bundled offers kept the SkyPilot v8 catalog's 1.90 / 1.95 / 2.40 (commit date unknown), so `tco offers list`
    showed Hyperstack's H100 at 1.90 while its committed listing printed 2.50 on demand for the same GPU.
    By hand: n3-H100x8 = 8 x 2.50 = 20.00 per instance-hour; n3-H100-SXM5x8 = 8 x 3.20 = 25.60."""
    expected = {"hyperstack:n3-H100x1": (2.50, 2.50), "hyperstack:n3-H100x8": (2.50, 20.00),
                "hyperstack:n3-H100x8-NVLink": (2.60, 20.80), "hyperstack:n3-H100-SXM5x8": (3.20, 25.60)}
    for offer_id, (per_gpu, per_instance) in expected.items():
        offer = catalog.offers[offer_id]
        assert (offer.on_demand_usd_per_gpu_hour, offer.on_demand_usd_per_hour) == (per_gpu, pytest.approx(per_instance)), offer_id
        assert offer.median_on_demand_usd_per_hour == pytest.approx(per_instance) and offer.sources[0].as_of == "2026-08-26"
    committed = [o for o in catalog.committed_offers.values() if o.cloud == "hyperstack" and o.gpu == "h100-pcie"]
    assert {o.on_demand_usd_per_gpu_hour for o in committed} == {2.50, 2.60}
    assert catalog.offers["hyperstack:n3-A100x1"].on_demand_usd_per_gpu_hour == 1.35  # the same in both sources


def test_machines_resold_under_hyperstacks_shape_have_hyperstacks_form_factor(catalog):
    """Shared gpu-offers/gpu_offers_summary.csv: Prime Intellect's `hyperstack__1xH100_80GB__28__180` (28 vCPUs,
    180 GiB, 1.9 $/GPU-h, no form factor) is Hyperstack's own `n3-H100x1` (`H100-80G-PCIe`, PCIe) to the vCPU, GiB and
    cent; Spheron's `n3-H100x8-NVLink__CANADA-1` is Hyperstack's `n3-H100x8-NVLink` (`H100-80G-PCIe-NVLink`). They
    were read as SXM, so `tco offers list --gpu h100-sxm` listed PCIe machines and `tco throughput` gave them 3.35
    TB/s where they have 2.0."""
    def shape(offer):  # "...; 28.0 vCPUs; 180 GiB host RAM; ..." -> (gpus, 28.0, 180.0)
        found = re.search(r"([\d.]+) vCPUs; ([\d.]+) GiB host RAM", offer.notes or "")
        return (offer.gpu_count, float(found[1]), float(found[2])) if found else None

    own = {shape(o): o.gpu for o in catalog.offers.values() if o.cloud == "hyperstack" and shape(o)}
    resold = [o for o in catalog.offers.values() if o.instance_type.startswith("hyperstack__") and shape(o) in own]
    assert len(resold) == 12  # 4 H100, 4 A100, 4 L40 (the 192-vCPU H100 matches no Hyperstack shape: RAM differs)
    assert {o.id: o.gpu for o in resold if o.gpu != own[shape(o)]} == {}
    assert catalog.offers["primeintellect:hyperstack__8xH100_80GB__252__1440"].gpu == "h100-pcie"
    assert catalog.offers["primeintellect:hyperstack__1xA100_80GB__28__120"].gpu == "a100-pcie-80gb"
    assert catalog.offers["spheron:n3-H100x8-NVLink__CANADA-1"].gpu == "h100-pcie"
    assert catalog.offers["primeintellect:hyperstack__8xH100_80GB__192__960"].gpu == "h100-sxm"


def test_gcp_offers_whose_catalog_price_other_shared_data_contradicts_carry_a_caution(catalog):
    """Shared gpu-offers/gpu_instances.csv (SkyPilot v9 gcp), a3-highgpu-8g us-central1: on demand 43.06615, spot
    47.86592 USD per hour: spot above on demand, which no list price does. reserved_prices.csv (Google Cloud Billing
    Catalog SKU sums, Cyclenerd @fd66b26f, 2026-07-30), same machine and region: on demand 88.49, 1-year CUD 61.38.
    The offer's minimum (5.38 a GPU-hour, from us-central1) was listed and billed as on demand with no word of it."""
    offer = catalog.offers["gcp:a3-highgpu-8g:host-plus-gpu"]
    assert offer.on_demand_usd_per_hour == 43.06615  # as the catalog says: the figure stays, the doubt is stated
    assert "us-central1 43.0662 (spot 47.8659 above it, Google's SKU sum 88.49, its 1-year CUD 61.38 above it)" in offer.caution
    assert "in 5 of 16 regions" in offer.caution and "(the lowest region) is one of them" in offer.caution
    assert catalog.offers["aws:p5.48xlarge"].caution is None and catalog.offers["gcp:a3-highgpu-8g:gpu-only"].caution is None
    assert sum(1 for o in catalog.offers.values() if o.caution) == 10


def test_offers_list_counts_the_rows_with_a_caution_and_json_carries_it(capsys):
    import json

    from tco.cli import main

    assert main(["offers", "list", "--cloud", "gcp", "--gpu", "h100-sxm", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert "88.49" in rows["gcp:a3-highgpu-8g:host-plus-gpu"]["caution"] and rows["gcp:a3-highgpu-8g:gpu-only"]["caution"] is None
    assert main(["offers", "list", "--cloud", "gcp", "--gpu", "h100-sxm"]) == 0
    assert "note: 5 of these row(s) carry a caution" in capsys.readouterr().err


def test_listings_name_the_source_and_date_of_every_figure_they_show(capsys):
    """`tco hardware list` shows a B300's driver-reported memory (aiconfigurator-core 0.12.0, 2026-09) and its TDP
    beside its marketed memory (stas00/ml-engineering, read 2026), but its one `source` / `as_of` pair names the
    memory's source only: json and csv now list every source with the fields it covers."""
    import csv
    import io
    import json

    from tco.cli import main

    assert main(["hardware", "list", "--format", "json"]) == 0
    b300 = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == "b300")
    by_field = {field: (s["source"], s["as_of"]) for s in b300["sources"] for field in s["covers"]}
    assert b300["memory_reported_mib"] == 275040 and by_field["memory_reported_mib"][1] == "2026-09"
    assert by_field["memory_reported_mib"][0].startswith("aiconfigurator-core 0.12.0")
    assert (b300["source"], b300["as_of"]) == by_field["memory_gb"] and "tdp_w" in by_field
    assert main(["models", "list", "--format", "csv"]) == 0
    row = next(r for r in csv.DictReader(io.StringIO(capsys.readouterr().out)) if r["id"] == "deepseek-v3")
    assert "total_params_b, active_params_b, mtp_modules: github.com/deepseek-ai/DeepSeek-V3 README.md" in row["sources"]


def test_the_daytona_mi355x_offers_are_converted_now_that_the_gpu_exists(catalog):
    """gpu_offers_summary.csv, daytona 1x-MI355X .. 8x-MI355X (SkyPilot catalogs/v8/daytona @0eb5da57): 8.0132 USD per
    GPU-hour on demand, 4.61 spot; left out while `mi355x` had no record, so `tco offers list --gpu mi355x` was empty.
    By hand: 8x-MI355X = 8 x 8.0132 = 64.1056 on demand, 8 x 4.61 = 36.88 spot."""
    mine = sorted((o.gpu_count, o.on_demand_usd_per_hour, o.spot_usd_per_hour) for o in catalog.offers.values() if o.gpu == "mi355x")
    assert len(mine) == 8 and mine[-1] == (8, 64.1056, 36.88) and mine[0] == (1, 8.0132, 4.61)


def test_measurements_are_mapped_to_catalog_ids(catalog):
    trtllm = [m for m in catalog.measurements if m.id.startswith("trtllm-")]
    first = next(m for m in catalog.measurements if m.id == "trtllm-v0.17:M0001")
    assert (first.model, first.gpu, first.num_gpus, first.precision, first.kv_cache_precision) == ("llama-3.1-8b", "h200", 1, "fp8", "fp8")
    assert (first.input_tokens, first.output_tokens, first.output_tokens_per_s, first.concurrency) == (128, 128, 29526.04, None)
    gh200 = next(m for m in catalog.measurements if m.id == "trtllm-v0.17:M0003")
    assert gh200.gpu == "gh200"
    assert {m.engine_version for m in trtllm} == {"0.17", "1.0"}
    # v0.17 measured the TensorRT engine flow (C++ executor), v1.0 the PyTorch backend (the calibration CSV's engine_version)
    assert {(m.engine_version, m.runtime) for m in trtllm} == {("0.17", "cpp"), ("1.0", "python")}
    assert {m.model for m in trtllm} == {
        "llama-3.1-8b", "llama-3.1-70b", "llama-3.3-70b", "llama-3.1-405b", "mixtral-8x7b", "mixtral-8x22b",
        "mistral-7b", "llama-4-scout", "qwen3-30b-a3b"}


def test_the_newest_uptime_pue_average_of_the_shared_table_is_shipped(catalog):
    """capex_and_opex_sources.csv: "Average data center PUE (Uptime Institute survey)" 1.58 (2020), 1.58 (2023) and
    1.54 (2025 survey, thefreesheet.com 2026-01-19); only the two older ones were shipped."""
    uptime = {f.sources[0].as_of: f.value for f in catalog.cost_figures.values() if f.item == "Average data center PUE (Uptime Institute survey)"}
    assert uptime == {"2020": 1.58, "2023": 1.58, "2025": 1.54}


@pytest.mark.skipif(not COST_CSV.is_file(), reason="the shared data folder is not on this machine")
def test_every_row_of_the_shared_cost_table_is_in_the_catalog(catalog):
    """cost_figures.yaml once held 40 of the csv's 71 rows and said nothing of the rest: each row (value, or a
    "low-high" range as value_low/value_high, unit and source URL) must now have a record of its own."""

    def key(values, unit, source):
        return tuple(float(v) for v in values), unit, source

    with COST_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 71
    wanted = Counter(key(r["value"].split("-"), r["unit"], r["source_url"]) for r in rows)
    have = Counter(
        key([f.value] if f.value is not None else [f.value_low, f.value_high], f.unit, s.source)
        for f in catalog.cost_figures.values() for s in f.sources)
    missing = wanted - have
    assert not missing, f"csv rows with no cost figure (value, unit, source): {sorted(missing)}"
    # and no figure the csv does not have
    assert sum(wanted.values()) == len(catalog.cost_figures)


def test_the_added_power_pue_and_electricity_rows_keep_their_published_form(catalog):
    """A few of the rows added 2026-12 (capex_and_opex_sources.csv; BILLING.md 3), read by hand."""
    figures = catalog.cost_figures
    assert (figures["dgx-h200-max-power"].value, figures["dgx-h200-max-power"].unit) == (10.2, "kW per server")
    assert figures["dgx-b200-max-power"].value == 14.3
    assert figures["dgx-b300-max-power"].value == 14
    assert (figures["gb200-nvl72-compute-tray-max-power"].value, figures["gb200-nvl72-compute-tray-max-power"].unit) == (6667, "W per tray")
    gb300 = figures["gb300-nvl72-rack-power-range"]
    assert (gb300.value, gb300.value_low, gb300.value_high, gb300.unit) == (None, 120, 140, "kW per rack")
    assert [figures[f"{g}-board-power"].value for g in ("mi300x", "mi350x", "mi355x")] == [750, 1000, 1400]
    measured = figures["mi300x-server-power-measured-dell-xe9785"]
    assert (measured.value_low, measured.value_high, measured.sources[0].as_of) == (6.5, 7.6, "2026-03")
    assert {i: figures[i].value for i in ("pue-aws-global-2023", "pue-google-fleet-2024-12", "pue-meta-2024-12",
                                          "pue-microsoft-global-2024-12", "pue-microsoft-fy2025")} == {
        "pue-aws-global-2023": 1.15, "pue-google-fleet-2024-12": 1.1, "pue-meta-2024-12": 1.08,
        "pue-microsoft-global-2024-12": 1.18, "pue-microsoft-fy2025": 1.17}
    virginia = figures["electricity-industrial-virginia-2023"]
    assert (virginia.value, virginia.unit, virginia.sources[0].as_of) == (8.92, "US cents per kWh", "2023")
    assert figures["electricity-industrial-california-2023"].value == 18.64
    ireland = figures["electricity-non-household-ireland-2024h1"]
    assert (ireland.value, ireland.unit, ireland.sources[0].as_of) == (0.256, "EUR per kWh", "2024")
    assert figures["electricity-non-household-eu-average-2024h2"].value == 0.1899
    # rows dated only by when they were read carry that month and say so
    b200 = figures["dgx-b200-max-power"].sources[0]
    assert b200.as_of == "2026-12" and "month it was read" in b200.note


def test_cost_figures_keep_ranges_as_ranges(catalog):
    h100 = catalog.cost_figures["h100-gpu-analyst-price"]
    assert (h100.value, h100.value_low, h100.value_high) == (None, 25000, 30000)
    assert catalog.cost_figures["dgx-b200-price"].sources[0].as_of == "2025-03-16"
    assert catalog.cost_figures["electricity-industrial-ohio-2025-04"].value == 7.90
