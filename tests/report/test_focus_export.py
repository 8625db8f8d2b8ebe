"""`tco run --format focus`: the plan as FOCUS 1.2 rows that the FinOps Foundation's validator accepts.

The validator (focus-validator 2.2.1) needs Python >= 3.12, so it runs from its own virtual
environment: set FOCUS_VALIDATOR_PYTHON to that venv's python, or create one at /tmp/focus-venv
(`python3.12 -m venv /tmp/focus-venv && /tmp/focus-venv/bin/pip install focus-validator==2.2.1 'numpy>=2'`);
without one the validator test is skipped with that reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from tco.cli import main
from tco.paths import examples_dir

EXAMPLE = str(examples_dir() / "customer-support.yaml")
PLAN = Path(__file__).parents[1] / "data" / "focus_plan.yaml"
AS_OF = ["--as-of", "2026-12-01"]


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


pytestmark = pytest.mark.xdist_group("focus-export")
"""One worker runs this module, so the FOCUS export of a file several tests read (`focus`) is computed once, not on each worker."""

_FOCUS_CSV: dict[tuple[str, str, tuple[str, ...]], str] = {}
"""`tco run --format focus` output by file, file text and date: the tests read the rows, a fresh list each time."""


def focus(capsys, path=EXAMPLE, as_of=AS_OF):
    key = (str(path), Path(path).read_text(), tuple(as_of))
    if key not in _FOCUS_CSV:
        _FOCUS_CSV[key] = run(capsys, ["run", str(path), "--format", "focus", *as_of])
    return list(csv.DictReader(io.StringIO(_FOCUS_CSV[key])))


def num(value: str) -> float | None:
    return float(value) if value != "" else None


@pytest.mark.parametrize("example", sorted(p.name for p in examples_dir().glob("*.yaml")))
def test_effective_cost_sums_to_the_accounting_total_and_billed_cost_to_the_cash_total(capsys, example):
    """FOCUS 1.2: BilledCost is what is invoiced in the charge period, EffectiveCost the amortised cost. The engine's
    two views are exactly these: total_cost_usd (accounting: depreciation, cost of capital, terms spread) and
    total_cash_usd (cash: purchases when paid, sales as inflows, upfront parts when a term starts)."""
    path = examples_dir() / example
    totals = {(r["scenario"], r["option"]): r for r in json.loads(run(capsys, ["run", str(path), "--format", "json", *AS_OF]))}
    billed, effective = defaultdict(float), defaultdict(float)
    for row in focus(capsys, path):
        key = (row["x_Scenario"], row["x_Option"])
        billed[key] += float(row["BilledCost"])
        effective[key] += float(row["EffectiveCost"])
        assert json.loads(row["Tags"]) == {"scenario": row["x_Scenario"], "option": row["x_Option"]}
        assert row["ServiceCategory"] == "AI and Machine Learning" and row["BillingCurrency"] == "USD"
        assert row["x_PlanData"] == "plan" and "plan, not a bill" in row["ChargeDescription"]
    assert set(billed) == set(totals)
    for key, total in totals.items():
        assert effective[key] == pytest.approx(total["total_cost_usd"], rel=1e-9), key
        assert billed[key] == pytest.approx(total["total_cash_usd"], rel=1e-9), key


def test_periods_are_plan_months_from_the_start(capsys):
    rows = focus(capsys)
    first = [r for r in rows if r["x_Month"] == "1"][0]
    assert (first["ChargePeriodStart"], first["ChargePeriodEnd"]) == ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")
    thirteenth = [r for r in rows if r["x_Month"] == "13"][0]
    assert thirteenth["BillingPeriodStart"] == "2027-12-01T00:00:00Z"


def test_periods_start_on_the_scenario_start_date_not_today_nor_the_first_of_the_month(capsys):
    """Plan month m starts on the start date + (m - 1) months, the same day of the month (the engine's
    tco.engine.api_price.add_months, which also dates the price changes): a 2026-12-15 start runs 12-15 to 01-15.
    --as-of is another day, so a row dated from `today` would show."""
    rows = focus(capsys, PLAN, ["--as-of", "2026-11-03"])
    spans = {(r["ChargePeriodStart"], r["ChargePeriodEnd"]) for r in rows if r["x_Month"] == "1" and r["ChargeCategory"] == "Usage"}
    assert spans == {("2026-12-15T00:00:00Z", "2027-01-15T00:00:00Z")}
    third = {(r["BillingPeriodStart"], r["BillingPeriodEnd"]) for r in rows if r["x_Month"] == "3"}
    assert third == {("2027-02-15T00:00:00Z", "2027-03-15T00:00:00Z")}


def test_a_start_on_the_31st_keeps_the_day_where_the_month_has_it(capsys, tmp_path):
    """add_months: the same day, or the month's last day when it is shorter (31 Jan -> 28 Feb -> 31 Mar)."""
    text = PLAN.read_text().replace("start_date: 2026-12-15", "start_date: 2027-01-31")
    (tmp_path / "plan.yaml").write_text(text)
    rows = [r for r in focus(capsys, tmp_path / "plan.yaml") if r["x_Option"] == "od"]
    spans = sorted({(int(r["x_Month"]), r["ChargePeriodStart"][:10], r["ChargePeriodEnd"][:10]) for r in rows})[:3]
    assert spans == [(1, "2027-01-31", "2027-02-28"), (2, "2027-02-28", "2027-03-31"), (3, "2027-03-31", "2027-04-30")]


def _by(rows, option, line):
    return [r for r in rows if r["x_Option"] == option and r["x_CostLine"] == line]


def test_purchased_gpus_are_a_purchase_their_depreciation_usage_and_their_sale_a_credit(capsys):
    """tests/data/focus_plan.yaml `bought`: 4 replicas x 2 GPUs = 8 GPUs at $24,875 (BILLING.md 4: bought when first
    needed, straight-line over a 1-year life, resold at 10 %, the fleet valued at book value at the horizon's end)."""
    rows = focus(capsys, PLAN)
    purchases = _by(rows, "bought", "gpu_capex_usd")
    # month 1 and month 13 (the replacement at end of life): 8 x $24,875 = $199,000 paid, EffectiveCost 0 (EffectiveCost-C-005-C)
    assert [(r["x_Month"], r["ChargeCategory"], float(r["BilledCost"]), float(r["EffectiveCost"])) for r in purchases] == \
        [("1", "Purchase", 199_000.0, 0.0), ("13", "Purchase", 199_000.0, 0.0)]
    assert (float(purchases[0]["PricingQuantity"]), purchases[0]["PricingUnit"], float(purchases[0]["ListUnitPrice"])) == (8.0, "GPUs", 24_875.0)
    assert purchases[0]["ChargeFrequency"] == "One-Time" and purchases[0]["ConsumedQuantity"] == ""
    depreciation = _by(rows, "bought", "depreciation_usd")[0]
    # $199,000 x (1 - 0.1) / 12 months = $14,925 a month, not invoiced
    assert (float(depreciation["BilledCost"]), float(depreciation["EffectiveCost"])) == (0.0, pytest.approx(14_925.0))
    assert depreciation["ChargeCategory"] == "Usage" and float(depreciation["ConsumedQuantity"]) == 8.0
    capital = _by(rows, "bought", "cost_of_capital_usd")[0]
    # 8 % a year on the book value after the purchase: $199,000 x 0.08 / 12 = $1,326.67
    assert float(capital["BilledCost"]) == 0.0 and float(capital["EffectiveCost"]) == pytest.approx(199_000 * 0.08 / 12)
    assert "not invoiced" in capital["ChargeDescription"]
    sales = _by(rows, "bought", "gpu_resale_usd")
    # month 13: the first 8 GPUs sold at 10 % = $19,900; month 18 (horizon): the replacements at book value,
    # $199,000 - 6 months x $14,925 = $109,450. Negative BilledCost as a Credit, EffectiveCost 0 (netted in depreciation)
    assert [(r["x_Month"], r["ChargeCategory"], float(r["BilledCost"]), float(r["EffectiveCost"])) for r in sales] == \
        [("13", "Credit", -19_900.0, 0.0), ("18", "Credit", pytest.approx(-109_450.0), 0.0)]
    assert sales[0]["ListCost"] == sales[0]["BilledCost"] == sales[0]["ContractedCost"] and sales[0]["PricingQuantity"] == ""


ON_DEMAND_P5 = 6.88
"""aws:p5.48xlarge on-demand per GPU-hour in the bundled offers (`tco offers list`): the list price of its GPU-hours."""


def test_reserved_terms_upfront_is_a_purchase_and_the_amortised_term_the_effective_cost(capsys):
    """`rsv-owed`: 8 GPUs reserved 12 months at on-demand $6.88 x (1 - 0.3) = $4.816 per GPU-hour, 50 % upfront
    (BILLING.md 3: upfront when a term starts, the rest monthly; the term's price spread evenly in the accounting view)."""
    rows = focus(capsys, PLAN)
    usage = _by(rows, "rsv-owed", "reserved_usd")[0]
    # 8 GPUs x 730 h = 5,840 GPU-hours x $4.816 = $28,125.44 amortised; half of it ($14,062.72) paid monthly. FOCUS 1.2
    # commitment discounts: the usage the term covers is billed 0 (DiscountHandling-A-009-C), what is paid for the term is
    # a Purchase (DiscountHandling-A-013-C): the monthly half a Recurring Purchase row of the same commitment
    assert float(usage["PricingQuantity"]) == pytest.approx(5_840) and usage["PricingUnit"] == "GPU-Hours"
    assert float(usage["EffectiveCost"]) == pytest.approx(28_125.44) and float(usage["BilledCost"]) == 0.0
    assert (usage["CommitmentDiscountStatus"], usage["CommitmentDiscountCategory"]) == ("Used", "Usage")
    assert float(usage["CommitmentDiscountQuantity"]) == pytest.approx(5_840) and usage["CommitmentDiscountUnit"] == "GPU-Hours"
    fee = [r for r in _by(rows, "rsv-owed", "reserved_fee_usd") if r["x_Month"] == "1"][0]
    assert (fee["ChargeCategory"], fee["ChargeFrequency"], float(fee["EffectiveCost"])) == ("Purchase", "Recurring", 0.0)
    assert float(fee["BilledCost"]) == pytest.approx(14_062.72) and fee["CommitmentDiscountId"] == usage["CommitmentDiscountId"] != ""
    # FOCUS 1.2 ContractedUnitPrice is the agreed price "inclusive of negotiated discounts, if present, while excluding
    # negotiated commitment discounts": no other discount is negotiated here, so the covered usage is contracted at the
    # on-demand $6.88 (ContractedCost $40,179.20) and the term's $4.816 shows in EffectiveCost / quantity only
    assert float(usage["ContractedUnitPrice"]) == pytest.approx(ON_DEMAND_P5) and float(usage["ListUnitPrice"]) == pytest.approx(ON_DEMAND_P5)
    assert float(usage["ContractedCost"]) == pytest.approx(40_179.20) and float(usage["EffectiveCost"]) / 5_840 == pytest.approx(4.816)
    assert float(usage["ListCost"]) == pytest.approx(5_840 * ON_DEMAND_P5) and usage["PricingCategory"] == "Committed"
    upfront = _by(rows, "rsv-owed", "reserved_upfront_usd")
    # terms signed in month 1 and renewed in month 13: 50 % x 8 x 730 h x 12 months x $4.816 = $168,752.64 each
    assert [(r["x_Month"], r["ChargeCategory"], r["EffectiveCost"]) for r in upfront] == [("1", "Purchase", "0.0"), ("13", "Purchase", "0.0")]
    assert float(upfront[0]["BilledCost"]) == pytest.approx(168_752.64) and upfront[0]["ChargeFrequency"] == "One-Time"
    # CommitmentDiscountQuantity-C-011-C: a One-Time purchase's quantity is what it covers over the term, 8 x 730 x 12
    assert float(upfront[0]["CommitmentDiscountQuantity"]) == pytest.approx(70_080)
    assert upfront[0]["CommitmentDiscountId"] == usage["CommitmentDiscountId"] and upfront[0]["CommitmentDiscountStatus"] == ""


def test_the_part_of_a_term_past_the_horizon_is_dated_after_the_horizon(capsys):
    """`rsv-owed` (beyond_horizon: owed): the term renewed in month 13 runs to month 24, 6 months past the 18-month
    horizon; those months start 2028-06-15 (start + 18 months) and end 2028-12-15, one row a month as the months in
    the horizon (a monthly BillingPeriod, as the provider bills them). Owed: 6 x $28,125.44 = $168,752.64, of which the
    monthly half (6 x $14,062.72 = $84,376.32) is still to be paid, as Recurring purchases of the same months."""
    rows = focus(capsys, PLAN)
    beyond = _by(rows, "rsv-owed", "reserved_beyond_horizon_usd")
    months = ["2028-06-15", "2028-07-15", "2028-08-15", "2028-09-15", "2028-10-15", "2028-11-15", "2028-12-15"]
    spans = [(f"{a}T00:00:00Z", f"{b}T00:00:00Z") for a, b in zip(months, months[1:])]
    assert [(r["ChargePeriodStart"], r["ChargePeriodEnd"]) for r in beyond] == spans
    assert [(r["BillingPeriodStart"], r["BillingPeriodEnd"]) for r in beyond] == spans
    assert [float(r["EffectiveCost"]) for r in beyond] == [pytest.approx(28_125.44)] * 6
    assert {float(r["BilledCost"]) for r in beyond} == {0.0}
    assert all("after the horizon" in r["ChargeDescription"] and r["PricingCategory"] == "Committed" for r in beyond)
    owed = _by(rows, "rsv-owed", "reserved_beyond_horizon_fee_usd")
    assert [(r["ChargeCategory"], r["ChargeFrequency"], r["ChargePeriodStart"]) for r in owed] == \
        [("Purchase", "Recurring", start) for start, _ in spans]
    assert sum(float(r["BilledCost"]) for r in owed) == pytest.approx(84_376.32)
    # horizon-share: the same upfront for those 6 months is left out as a credit in the last month (6/12 x $168,752.64)
    (refund,) = _by(rows, "rsv-share", "reserved_upfront_refund_usd")
    assert (refund["x_Month"], refund["ChargeCategory"], float(refund["BilledCost"])) == ("18", "Credit", pytest.approx(-84_376.32))
    assert not _by(rows, "rsv-share", "reserved_beyond_horizon_usd")


def test_list_cost_is_the_list_price_and_contracted_cost_the_price_paid(capsys):
    rows = focus(capsys, PLAN)
    api = [r for r in _by(rows, "api", "api_input_usd") if r["x_Month"] == "1"][0]
    # gpt-4.1-mini uncached input: $0.40 per million on the price sheet, 20 % negotiated discount -> $0.32
    assert float(api["ListUnitPrice"]) == pytest.approx(0.40) and float(api["ContractedUnitPrice"]) == pytest.approx(0.32)
    assert float(api["ListCost"]) == pytest.approx(float(api["PricingQuantity"]) * 0.40)
    assert float(api["ContractedCost"]) == pytest.approx(float(api["BilledCost"]))
    spot = [r for r in _by(rows, "spot", "gpu_rental_usd") if r["x_Month"] == "1"][0]
    # spot GPU-hours listed at the offer's on-demand price; the spot price is what is paid
    assert float(spot["ListUnitPrice"]) == pytest.approx(ON_DEMAND_P5) and float(spot["ContractedUnitPrice"]) < ON_DEMAND_P5
    assert spot["PricingCategory"] == "Dynamic" and spot["PricingUnit"] == "GPU-Hours"
    on_demand = [r for r in _by(rows, "od", "gpu_rental_usd") if r["x_Month"] == "1"][0]
    assert float(on_demand["ListUnitPrice"]) == float(on_demand["ContractedUnitPrice"]) == pytest.approx(ON_DEMAND_P5)


@pytest.mark.parametrize("path", [PLAN, *sorted(examples_dir().glob("*.yaml"))], ids=lambda p: p.name)
def test_usage_and_purchase_rows_fill_the_columns_focus_1_2_requires(capsys, path):
    """The validator skips these rules unless told the provider supports unit pricing, so they are checked here too:
    PricingCategory-C-004-C, PricingQuantity-C-005-C, ListUnitPrice-C-005-C, ContractedUnitPrice-C-006-C, SkuPriceId-C-005-C
    (not null on Usage and Purchase rows), ListUnitPrice-C-010-C / ContractedUnitPrice-C-011-C (unit price x quantity =
    cost), ConsumedQuantity-C-004-C / -C-006-C (null unless Usage, else set), EffectiveCost-C-005-C (a Purchase is 0)."""
    rows = focus(capsys, path)
    for row in rows:
        category = row["ChargeCategory"]
        if category in ("Usage", "Purchase"):
            for column in ("PricingCategory", "PricingQuantity", "PricingUnit", "ListUnitPrice", "ContractedUnitPrice", "SkuPriceId", "SkuId"):
                assert row[column] != "", (column, row["x_CostLine"], row["x_Option"])
            assert num(row["ListUnitPrice"]) * num(row["PricingQuantity"]) == pytest.approx(num(row["ListCost"]), rel=1e-9)
            assert num(row["ContractedUnitPrice"]) * num(row["PricingQuantity"]) == pytest.approx(num(row["ContractedCost"]), rel=1e-9)
            assert num(row["ListCost"]) >= num(row["ContractedCost"]) * (1 - 1e-12)
        assert (row["ConsumedQuantity"] != "") == (category == "Usage") == (row["ConsumedUnit"] != ""), row["x_CostLine"]
        if category == "Purchase":
            assert num(row["EffectiveCost"]) == 0 and row["ChargeFrequency"] != "Usage-Based"
        if category == "Credit":
            assert num(row["BilledCost"]) < 0 and num(row["EffectiveCost"]) == 0
        if row["x_CostLine"] in ("reserved_usd", "reserved_beyond_horizon_usd"):
            assert row["PricingCategory"] == "Committed", (row["x_Option"], row["x_CostLine"])
        if row["x_PaymentMode"] == "spot" and row["x_CostLine"] == "gpu_rental_usd":
            assert row["PricingCategory"] == "Dynamic"


def test_provisioned_api_units_are_committed(capsys):
    rows = focus(capsys, examples_dir() / "commitments.yaml")
    ptu = [r for r in rows if r["x_Option"] == "gpt-4.1-ptu" and r["x_CostLine"] == "reserved_usd"]
    assert ptu and {r["PricingCategory"] for r in ptu} == {"Committed"} and ptu[0]["ProviderName"] == "azure-openai"


def test_token_rows_carry_quantities_and_meters(capsys):
    """customer-support: 40,000 requests/day x 30.4167 days (365/12) x 3,000 input tokens, 80 % cached (month 1, no growth yet)."""
    rows = focus(capsys)
    month1 = {r["SkuMeter"]: r for r in rows if r["x_Month"] == "1" and r["x_Option"] == "gpt-4.1-mini"}
    input_tokens = 40_000 * 365 / 12 * 3_000
    assert float(month1["Cached input tokens (cache read)"]["ConsumedQuantity"]) == pytest.approx(input_tokens * 0.8)
    assert float(month1["Input tokens"]["ConsumedQuantity"]) == pytest.approx(input_tokens * 0.2)
    assert month1["Input tokens"]["PricingUnit"] == "1000000 Tokens" and month1["Input tokens"]["SkuId"] == "openai/gpt-4.1-mini"
    # $0.40 per million uncached input tokens (pricing sheet for gpt-4.1-mini): 730 million tokens -> $292
    assert float(month1["Input tokens"]["BilledCost"]) == pytest.approx(input_tokens * 0.2 / 1e6 * 0.40)


def _validator_python() -> Path | None:
    candidate = os.environ.get("FOCUS_VALIDATOR_PYTHON") or "/tmp/focus-venv/bin/python"
    path = Path(candidate)
    return path if path.exists() else None


APPLICABLE = ("USAGE_MEASUREMENT_SUPPORTED,UNIT_PRICING_SUPPORTED,NEGOTIATED_PRICING_SUPPORTED,PUBLIC_PRICE_LIST_SUPPORTED,"
              "MULTIPLE_PRICING_CATEGORIES_SUPPORTED,ACCOUNT_NAMING_SUPPORTED,TAGGING_SUPPORTED")
"""What the plan supports, told to the validator: without these it skips the unit price, pricing quantity and pricing
category rules as not applicable (it passed rows with none of them filled)."""


@pytest.mark.slow
@pytest.mark.parametrize("suffix, scenario_file", [(".csv", EXAMPLE), (".parquet", EXAMPLE), (".csv", str(PLAN)),
                                                   (".csv", str(examples_dir() / "commitments.yaml"))],
                         ids=["customer-support-csv", "customer-support-parquet", "focus-plan-csv", "commitments-csv"])
def test_focus_output_passes_the_focus_1_2_validator(capsys, tmp_path, suffix, scenario_file):
    python = _validator_python()
    if python is None:
        pytest.skip("no Python 3.12 venv with focus-validator 2.2.1 (set FOCUS_VALIDATOR_PYTHON; see the module docstring)")
    out = tmp_path / f"plan{suffix}"
    run(capsys, ["run", scenario_file, "--format", "focus", "--output", str(out), *AS_OF])
    site = subprocess.run([str(python), "-c", "import focus_validator, os; print(os.path.dirname(os.path.dirname(focus_validator.__file__)))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    result = subprocess.run(
        [str(python), "-m", "focus_validator.main", "--data-file", str(out), "--validate-version", "1.2.0.1", "--block-download",
         "--applicability-criteria", APPLICABLE],
        cwd=site, capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    failed = {line.split()[1].rstrip(":") for line in report.splitlines() if line.startswith("❌")}
    passed = {line.split()[1].rstrip(":") for line in report.splitlines() if line.startswith("✅")}
    assert "PASS" in report and result.returncode == 0, report[-4000:]
    # InvoiceId-C-004-C ("MUST be null when not associated with an invoice") and -C-005-C ("MUST NOT be null when
    # associated with an invoice") cannot both pass: the validator cannot tell whether a row has an invoice and checks
    # both. A plan has no invoice, so InvoiceId is null and C-005 (with its parent C-000) is the one that reports.
    assert failed <= {"InvoiceId-C-005-C", "InvoiceId-C-000-M"}, report[-4000:]
    assert {"ListUnitPrice-C-005-C", "ContractedUnitPrice-C-006-C", "PricingCategory-C-004-C", "PricingQuantity-C-005-C",
            "ListUnitPrice-C-010-C", "ContractedUnitPrice-C-011-C", "EffectiveCost-C-005-C", "ConsumedQuantity-C-004-C"} <= passed, \
        "the rules this export is built for were skipped, not checked"


LISTED_SCENARIO = """\
schema_version: 1
scenarios:
  - id: listed
    name: list price of reserved GPU-hours in the month they are used
    workload: {requests_per_day: 1000, monthly_growth: 0.0, input_tokens: 1000, output_tokens: 100, ttft_ms: 2000, tpot_ms: 60}
    finance: {horizon_months: 18, start_date: 2026-12-01, gpu_price_change_per_year: -0.15}
    options:
      - {kind: self-hosted, id: rsv, model: llama-3.3-70b, gpu: h100-sxm, gpus_per_replica: 8, precision: fp8, engine: vllm,
         payment: {mode: reserved, offer: "aws:p5.48xlarge:us-east-1:1y:convertible:no-upfront"}}
      - {kind: self-hosted, id: od, model: llama-3.3-70b, gpu: h100-sxm, gpus_per_replica: 8, precision: fp8, engine: vllm,
         payment: {mode: on-demand, offer: "aws:p5.48xlarge"}}
"""
COMMITTED_P5_1Y_NO_UPFRONT = 5.418
"""aws:p5.48xlarge:us-east-1:1y:convertible:no-upfront per GPU-hour (`tco offers list --term 1y`); its on-demand: $6.88."""


def test_reserved_gpu_hours_are_listed_at_the_on_demand_price_of_the_month_they_are_used(capsys, tmp_path):
    """FOCUS 1.2 ListUnitPrice: the provider's published price of the SKU, before discounts, for the charge period.
    The plan moves on-demand prices by finance.gpu_price_change_per_year (-15 %), so month 12's on-demand price is
    $6.88 x 0.85^(11/12) = $5.9277 (what the on-demand option's rows list), even though the term it is used under was
    signed in month 1 at $5.418. Listing it at month 1's $6.88 overstated ListCost (and the savings a FinOps tool
    reads from ListCost - EffectiveCost) by 0.85^(-11/12) - 1 = 16 %."""
    path = tmp_path / "listed.yaml"
    path.write_text(LISTED_SCENARIO)
    rows = focus(capsys, path)
    on_demand_month_12 = ON_DEMAND_P5 * 0.85 ** (11 / 12)
    (reserved,) = [r for r in _by(rows, "rsv", "reserved_usd") if r["x_Month"] == "12"]
    (rented,) = [r for r in _by(rows, "od", "gpu_rental_usd") if r["x_Month"] == "12"]
    # 1 replica x 8 GPUs x 730 h = 5,840 GPU-hours at the month-1 term price $5.418 = $31,641.12
    assert float(reserved["PricingQuantity"]) == pytest.approx(5_840)
    assert float(reserved["EffectiveCost"]) == pytest.approx(5_840 * COMMITTED_P5_1Y_NO_UPFRONT)
    assert float(reserved["ListUnitPrice"]) == pytest.approx(on_demand_month_12)
    assert float(reserved["ListCost"]) == pytest.approx(5_840 * on_demand_month_12)
    assert float(rented["ListUnitPrice"]) == pytest.approx(on_demand_month_12)  # the same SKU, the same month
    # the term renewed in month 13 (at 0.85 x $5.418) runs to month 24: months 19-24 after the 18-month horizon, each
    # 5,840 GPU-hours listed at its own month's on-demand price $6.88 x 0.85^((m - 1) / 12)
    beyond = _by(rows, "rsv", "reserved_beyond_horizon_usd")
    assert [float(r["PricingQuantity"]) for r in beyond] == [pytest.approx(5_840)] * 6
    assert [float(r["ListUnitPrice"]) for r in beyond] == [pytest.approx(ON_DEMAND_P5 * 0.85 ** ((m - 1) / 12)) for m in range(19, 25)]
    assert [float(r["EffectiveCost"]) for r in beyond] == [pytest.approx(5_840 * COMMITTED_P5_1Y_NO_UPFRONT * 0.85)] * 6


@pytest.mark.parametrize("path", [PLAN, examples_dir() / "commitments.yaml"], ids=lambda p: p.name)
def test_each_commitment_s_usage_effective_cost_equals_what_is_paid_for_it(capsys, path):
    """FOCUS 1.2 EffectiveCost-C-012-C: for a CommitmentDiscountId the sum of EffectiveCost of its Usage rows equals the
    sum of BilledCost of its Purchase rows (the term prices paid, upfront and monthly), and DiscountHandling-A-009-C:
    the usage a term covers is billed 0. beyond_horizon: horizon-share leaves out the upfront paid for months after
    the horizon (its Credit row), so there the purchases exceed the usage by exactly that credit."""
    rows = focus(capsys, path)
    usage, purchases, credits = defaultdict(float), defaultdict(float), defaultdict(float)
    for row in rows:
        commitment = row["CommitmentDiscountId"]
        if row["x_CostLine"] in ("reserved_usd", "reserved_beyond_horizon_usd"):
            assert commitment and row["ChargeCategory"] == "Usage" and float(row["BilledCost"]) == 0.0, row["x_Option"]
            assert row["CommitmentDiscountStatus"] == "Used" and row["PricingCategory"] == "Committed"
            assert row["ResourceId"] not in ("", commitment)  # DiscountHandling-A-016-C: the resource that got the discount
        elif commitment:
            assert row["ResourceId"] == commitment  # DiscountHandling-A-012-C: the commitment's purchase names it
        if not commitment:
            assert row["CommitmentDiscountStatus"] == row["CommitmentDiscountType"] == row["CommitmentDiscountName"] == ""
            continue
        {"Usage": usage, "Purchase": purchases, "Credit": credits}[row["ChargeCategory"]][commitment] += \
            float(row["EffectiveCost"] if row["ChargeCategory"] == "Usage" else row["BilledCost"])
    assert usage and set(usage) == set(purchases)
    for commitment, effective in usage.items():
        assert effective == pytest.approx(purchases[commitment] + credits[commitment], rel=1e-9), commitment


def test_a_hybrid_s_tokens_are_billed_by_its_api_s_provider(capsys):
    """growing-product `hybrid-overflow` sends the peaks to its `api` option, gpt-4.1 from openai: those token rows are
    openai's (ProviderName / InvoiceIssuerName: who bills them), as the same rows of the API option itself, not a
    placeholder a FinOps tool cannot match to the provider's bill."""
    rows = focus(capsys, examples_dir() / "growing-product.yaml")
    providers = {(r["x_Option"], r["ProviderName"], r["InvoiceIssuerName"]) for r in rows if r["x_CostLine"].startswith("api_")}
    assert providers == {("gpt-4.1", "openai", "openai"), ("hybrid-overflow", "openai", "openai")}
