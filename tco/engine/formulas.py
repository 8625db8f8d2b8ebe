"""Every cost formula of llm-tco, each written once.

Each named result below is a `Term`: `tco.engine.evaluate` renders it to polars, the workbook to
Excel formulas, and `tco explain` / the TUI to text. A row of inputs describes one option of one
scenario; `month` (1, 2, ...) is the only input that changes from month to month.

Conventions: volumes are per month, prices per million tokens, fractions as fractions, money in USD.
"""

from __future__ import annotations

from tco import units
from tco.engine.expr import Const, Input, Named, Term, at_month, ceil, floor, maximum, minimum, named, running, total, where

PROFILE_HOURS = 24

# ------------------------------------------------------------------ inputs
month = Input("month", "month of the horizon (1 = first)")

# workload
requests_per_day = Input("requests_per_day", "requests per day in month 1", "requests/day")
monthly_growth = Input("monthly_growth", "monthly volume growth", "fraction")
input_tokens = Input("input_tokens", "input tokens of the first call", "tokens")
context_growth_per_call_tokens = Input("context_growth_per_call_tokens", "context added per further call", "tokens")
llm_calls_per_request = Input("llm_calls_per_request", "LLM calls per request", "calls")
samples_per_call = Input("samples_per_call", "samples per call", "samples")
input_paid_per_sample = Input("input_paid_per_sample", "input paid once per sample (1) or once per call (0)", "flag")
output_tokens = Input("output_tokens", "output tokens per call and sample", "tokens")
reasoning_tokens = Input("reasoning_tokens", "reasoning tokens per call and sample", "tokens")
cacheable_prefix_share = Input("cacheable_prefix_share", "share of input read from the prompt cache", "fraction")
cache_write_share = Input("cache_write_share", "share of input written to the prompt cache", "fraction")
cached_call_share = Input("cached_call_share", "share of API input in calls long enough for the provider to cache", "fraction")
"""A call whose prompt (OpenAI) or cached prefix (Anthropic) is shorter than the provider's minimum is cached by nobody:
its cache reads and writes are plain input (BILLING.md 1.3). 1 where every call is long enough or no minimum is known."""
batch_eligible_share = Input("batch_eligible_share", "share of requests sent to a batch API", "fraction")
peak_to_average = Input("peak_to_average", "busiest hour / average hour", "ratio")
profile = [Input(f"profile_h{h:02d}", f"traffic of hour {h:02d} / average hour", "ratio") for h in range(PROFILE_HOURS)]

# finance
horizon_months = Input("horizon_months", "horizon", "months")
discount_rate_per_year = Input("discount_rate_per_year", "discount rate per year", "fraction")
api_price_decline_per_year = Input("api_price_decline_per_year", "expected API price decline per year", "fraction")
gpu_price_change_per_year = Input("gpu_price_change_per_year", "expected GPU price change per year (signed)", "fraction")
has_gpu_price_history = Input(
    "has_gpu_price_history", "the horizon starts on or before a GPU offer's as_of date (1) or not (0)", "flag")
gpu_price_known_months = Input(
    "gpu_price_known_months", "months of the horizon that start on or before the GPU price's offer's as_of date", "months")
burst_gpu_price_known_months = Input(
    "burst_gpu_price_known_months", "months of the horizon that start on or before the burst offer's as_of date", "months")

# API prices (already resolved from the price sheet for the start date and request size)
input_usd_per_million_tokens = Input("input_usd_per_million_tokens", "API input price", "USD per million tokens")
output_usd_per_million_tokens = Input("output_usd_per_million_tokens", "API output price", "USD per million tokens")
cache_read_usd_per_million_tokens = Input("cache_read_usd_per_million_tokens", "API cache read price", "USD per million tokens")
cache_write_usd_per_million_tokens = Input("cache_write_usd_per_million_tokens", "API cache write price", "USD per million tokens")
batch_input_usd_per_million_tokens = Input("batch_input_usd_per_million_tokens", "API batch input price", "USD per million tokens")
batch_output_usd_per_million_tokens = Input("batch_output_usd_per_million_tokens", "API batch output price", "USD per million tokens")
negotiated_discount = Input("negotiated_discount", "negotiated API discount", "fraction")

# API billing rules (issue 15): resolved from the price sheet for the option (tco.engine.api_price)
batch_cache_read_usd_per_million_tokens = Input(
    "batch_cache_read_usd_per_million_tokens", "API batch cache read price", "USD per million tokens")
batch_cache_write_usd_per_million_tokens = Input(
    "batch_cache_write_usd_per_million_tokens", "API batch cache write price", "USD per million tokens")
long_context_above_input_tokens = Input(
    "long_context_above_input_tokens", "long-context tier: calls with more input tokens than this pay the tier rate", "tokens")
long_context_input_ratio = Input(
    "long_context_input_ratio", "long-context tier input price / base input price (also cache reads and writes)", "ratio")
long_context_output_ratio = Input("long_context_output_ratio", "long-context tier output price / base output price", "ratio")
price_window = [Input(f"price_window_h{h:02d}", f"share of hour {h:02d} (profile's time zone) billed at the time-of-day price",
                      "fraction") for h in range(PROFILE_HOURS)]
time_of_day_input_ratio = Input("time_of_day_input_ratio", "time-of-day input price / standard input price", "ratio")
time_of_day_output_ratio = Input("time_of_day_output_ratio", "time-of-day output price / standard output price", "ratio")
time_of_day_cache_read_ratio = Input(
    "time_of_day_cache_read_ratio", "time-of-day cache read price / standard cache read price", "ratio")
has_api_price_history = Input(
    "has_api_price_history", "the horizon starts before the price sheet's as_of date or meets a recorded price change (1) or not (0)", "flag")
PRICE_CHANGE_SLOTS = 3
"""Recorded price changes inside one horizon that the formulas follow (more are reported in the notes)."""


def _per_price_change(name: str, label: str, unit: str) -> list[Input]:
    """One input per followed price change: `{k}` in the name and label is the change's number (1 to the slots)."""
    return [Input(name.format(k=k), label.format(k=k), unit) for k in range(1, PRICE_CHANGE_SLOTS + 1)]


price_change_month = _per_price_change(
    "price_change_{k}_month", "when recorded price change {k} takes effect: its month + the share of that month already past",
    "month of the horizon")
"""Not a whole month (unit "month" would show 1.52 as 2 on the workbook's Inputs sheet): the 17th of a 31-day month 1
is 1.52."""
price_change_input_ratio = _per_price_change(
    "price_change_{k}_input_ratio", "input price after change {k} / price at the start", "ratio")
price_change_output_ratio = _per_price_change(
    "price_change_{k}_output_ratio", "output price after change {k} / price at the start", "ratio")
price_change_cache_read_ratio = _per_price_change(
    "price_change_{k}_cache_read_ratio", "cache read price after change {k} / price at the start", "ratio")
price_change_time_of_day_input_ratio = _per_price_change(
    "price_change_{k}_time_of_day_input_ratio", "time-of-day input price / standard input price after change {k}", "ratio")
price_change_time_of_day_output_ratio = _per_price_change(
    "price_change_{k}_time_of_day_output_ratio", "time-of-day output price / standard output price after change {k}", "ratio")
price_change_time_of_day_cache_read_ratio = _per_price_change(
    "price_change_{k}_time_of_day_cache_read_ratio",
    "time-of-day cache read price / standard cache read price after change {k}", "ratio")
price_change_cache_write_ratio = _per_price_change(
    "price_change_{k}_cache_write_ratio", "cache write price after change {k} / price at the start", "ratio")
price_change_long_context_above_input_tokens = _per_price_change(
    "price_change_{k}_long_context_above_input_tokens",
    "long-context tier after change {k}: calls with more input tokens than this pay its rate", "tokens")
price_change_long_context_input_ratio = _per_price_change(
    "price_change_{k}_long_context_input_ratio", "long-context tier input price / base input price after change {k}", "ratio")
price_change_long_context_output_ratio = _per_price_change(
    "price_change_{k}_long_context_output_ratio", "long-context tier output price / base output price after change {k}", "ratio")
PRICE_CHANGE_INPUTS = (price_change_month, price_change_input_ratio, price_change_output_ratio, price_change_cache_read_ratio,
                       price_change_time_of_day_input_ratio, price_change_time_of_day_output_ratio,
                       price_change_time_of_day_cache_read_ratio, price_change_cache_write_ratio,
                       price_change_long_context_above_input_tokens, price_change_long_context_input_ratio,
                       price_change_long_context_output_ratio)
"""A recorded price change's inputs, in the order of the engine's change records (tco.engine.rows reads them so)."""
api_price_known_months = Input(
    "api_price_known_months", "months of the horizon that start on or before the price sheet's as_of date", "months")
usd_per_thousand_requests = Input("usd_per_thousand_requests", "API fee per 1,000 API requests (LLM calls)", "USD per 1,000 requests")
tool_fee_usd_per_request = Input("tool_fee_usd_per_request", "tool / search fees per user request", "USD per request")

# how the load is split (API: api share 1; self-hosted: 0; hybrid: in between)
api_share_fixed = Input("api_share_fixed", "share of requests sent to the API", "fraction")
is_overflow = Input("is_overflow", "hybrid with overflow to the API (1) or not (0)", "flag")
has_self_hosted = Input("has_self_hosted", "option runs its own GPUs (1) or not (0)", "flag")

# self-hosted capacity and fleet
replica_generations_per_s = Input("replica_generations_per_s", "completions per second one replica serves at the latency target", "per s")
gpus_per_replica = Input("gpus_per_replica", "GPUs per replica", "GPUs")
spare_replicas = Input("spare_replicas", "spare replicas (redundancy)", "replicas")
min_replicas = Input("min_replicas", "minimum replicas", "replicas")
max_utilization = Input("max_utilization", "highest allowed replica utilization at peak", "fraction")
is_autoscaled = Input("is_autoscaled", "fleet follows the hourly profile (1) or is sized for peak (0)", "flag")
overflow_replicas = Input("overflow_replicas", "replicas of the fixed hybrid fleet", "replicas")
gpus_per_instance = Input("gpus_per_instance", "GPUs per rented instance (1 when billed per GPU)", "GPUs")

# paying for GPUs
gpu_usd_per_hour = Input("gpu_usd_per_hour", "price per GPU-hour", "USD per GPU-hour")
spot_interruption_overhead = Input("spot_interruption_overhead", "extra GPU-hours lost to spot interruptions", "fraction")
is_purchased = Input("is_purchased", "GPUs bought (1) or rented (0)", "flag")
is_reserved = Input("is_reserved", "GPUs reserved for a term (1) or not (0)", "flag")
is_mixed = Input("is_mixed", "a reserved base with bursts (1) or not (0)", "flag")
base_replicas = Input("base_replicas", "replicas of the reserved base", "replicas")
burst_gpu_usd_per_hour = Input("burst_gpu_usd_per_hour", "burst price per GPU-hour", "USD per GPU-hour")
burst_gpus_per_instance = Input("burst_gpus_per_instance", "GPUs per burst instance (1 when billed per GPU)", "GPUs")
term_months = Input("term_months", "reservation term", "months")
upfront_share = Input("upfront_share", "share of a term's price paid when it starts", "fraction")
count_beyond_horizon = Input("count_beyond_horizon", "count the part of a term past the horizon (1) or not (0)", "flag")
purchase_usd_per_gpu = Input("purchase_usd_per_gpu", "purchase price per GPU incl. server share", "USD per GPU")
depreciation_years = Input("depreciation_years", "depreciation period", "years")
residual_value_share = Input("residual_value_share", "resale value at the end, share of price", "fraction")
cost_of_capital_per_year = Input("cost_of_capital_per_year", "cost of capital per year", "fraction")

# operations
idle_power_share = Input("idle_power_share", "idle draw as a share of maximum power", "fraction")
pue = Input("pue", "facility PUE", "ratio")
usd_per_kwh = Input("usd_per_kwh", "electricity price", "USD per kWh")
server_power_per_gpu_kw = Input("server_power_per_gpu_kw", "IT power provisioned per GPU", "kW")
hosting_usd_per_kw_month = Input("hosting_usd_per_kw_month", "colocation price", "USD per kW-month")
staff_fte = Input("staff_fte", "engineers", "FTE")
staff_usd_per_fte_year = Input("staff_usd_per_fte_year", "loaded cost per engineer-year", "USD")
staff_share = Input("staff_share", "share of their time charged here", "fraction")
software_usd_per_gpu_month = Input("software_usd_per_gpu_month", "software and support per GPU-month", "USD")
setup_usd = Input("setup_usd", "one-time setup", "USD")
storage_gb = Input("storage_gb", "storage kept", "GB")
storage_usd_per_gb_month = Input("storage_usd_per_gb_month", "storage price", "USD per GB-month")
egress_gb_per_request = Input("egress_gb_per_request", "egress per self-hosted request", "GB")
egress_usd_per_gb = Input("egress_usd_per_gb", "egress price", "USD per GB")
maintenance_share_of_capex_per_year = Input("maintenance_share_of_capex_per_year", "maintenance per year, share of capex", "fraction")
staff_inflation_per_year = Input("staff_inflation_per_year", "staff cost rise per year", "fraction")
power_inflation_per_year = Input("power_inflation_per_year", "electricity price rise per year", "fraction")
grid_gco2e_per_kwh = Input("grid_gco2e_per_kwh", "grid carbon intensity (location-based)", "gCO2e per kWh")

HOURS_PER_MONTH = Const(units.HOURS_PER_MONTH, "hours per month")
DAYS_PER_MONTH = Const(units.DAYS_PER_MONTH, "days per month")
SECONDS_PER_MONTH = Const(units.DAYS_PER_MONTH * 86400.0, "seconds per month")
MILLION = Const(units.TOKENS_PER_MILLION, "tokens per million")
MONTHS_PER_YEAR = Const(12.0, "months per year")
GRAMS_PER_KG = Const(1000.0, "grams per kilogram")

# ------------------------------------------------------------------ token accounting (per request)
input_tokens_per_request = named(
    "input_tokens_per_request", "input tokens per request",
    (llm_calls_per_request * input_tokens
     + context_growth_per_call_tokens * llm_calls_per_request * (llm_calls_per_request - 1) / 2)
    * (1 + input_paid_per_sample * (samples_per_call - 1)),
    "tokens")
"""Each call resends everything before it: call k carries input + (k-1) x growth tokens."""

output_tokens_per_request = named(
    "output_tokens_per_request", "output tokens per request",
    llm_calls_per_request * samples_per_call * output_tokens, "tokens")
reasoning_tokens_per_request = named(
    "reasoning_tokens_per_request", "reasoning tokens per request",
    llm_calls_per_request * samples_per_call * reasoning_tokens, "tokens")
tokens_per_request = named(
    "tokens_per_request", "tokens per request (input + output + reasoning)",
    input_tokens_per_request + output_tokens_per_request + reasoning_tokens_per_request, "tokens")

# ------------------------------------------------------------------ volume per month
growth_factor = named("growth_factor", "volume relative to month 1", (1 + monthly_growth) ** (month - 1), "ratio")
requests_in_month = named("requests_in_month", "requests this month",
                          requests_per_day * DAYS_PER_MONTH * growth_factor, "requests")
in_horizon = named("in_horizon", "month inside the horizon", where(month.le(horizon_months), 1, 0), "flag")
tokens_in_month = named("tokens_in_month", "tokens this month", requests_in_month * tokens_per_request * in_horizon, "tokens")
generations_per_s_average = named(
    "generations_per_s_average", "completions per second, monthly average",
    requests_in_month * llm_calls_per_request * samples_per_call / SECONDS_PER_MONTH, "per s")

# ------------------------------------------------------------------ how the load is split
replica_capacity_per_s = named(
    "replica_capacity_per_s", "completions per second one replica may serve",
    replica_generations_per_s * max_utilization, "per s")
fixed_fleet_capacity_per_s = named(
    "fixed_fleet_capacity_per_s", "completions per second of the fixed hybrid fleet",
    overflow_replicas * replica_capacity_per_s, "per s")
self_hosted_served_share_overflow = named(
    "self_hosted_served_share_overflow", "share of the load the fixed fleet serves",
    total(minimum(generations_per_s_average * w, fixed_fleet_capacity_per_s) for w in profile)
    / maximum(generations_per_s_average * PROFILE_HOURS, 1e-12), "fraction")
"""Hour by hour, the fleet serves what it can; the rest overflows to the API."""

api_share = named("api_share", "share of requests on the API",
                  where(is_overflow.gt(0.5), 1 - self_hosted_served_share_overflow, api_share_fixed), "fraction")
self_hosted_share = named("self_hosted_share", "share of requests self-hosted",
                          has_self_hosted * (1 - api_share), "fraction")

# ------------------------------------------------------------------ API cost lines
api_price_decline_factor = named(
    "api_price_decline_factor", "expected API price decline since the last known price",
    where(has_api_price_history.gt(0.5),
          (1 - api_price_decline_per_year) ** (maximum(month - 1 - api_price_known_months, 0) / MONTHS_PER_YEAR),
          (1 - api_price_decline_per_year) ** ((month - 1) / MONTHS_PER_YEAR)), "ratio")
"""Prices fall smoothly after the months the price sheet knows: a year later they are (1 - decline).

Counted from the first month that starts after the sheet's as_of date (the day its prices were
read); in a scenario starting after that date, from month 1. A backtest's earlier months pay the
recorded prices only (their changes are the price_change inputs), never a guessed decline."""
api_price_factor = named(
    "api_price_factor", "API price multiplier (negotiated discount and expected decline)",
    (1 - negotiated_discount) * api_price_decline_factor, "ratio")


def _share_of_month_after(when: Term) -> Term:
    """The share of this month paid after a change that takes effect at `when` (month 3.5: half-way through month 3):
    0 before its month, the rest of its month in it (days pro rata), 1 after."""
    return minimum(maximum(month + 1 - when, 0), 1)


def _after_changes(at_start: Term, after_changes: list) -> Term:
    """A price multiplier as the recorded changes move it, each month paying every price in force in it for its days:
    the value at the start plus each change's step times the share of the month after it (two changes in one month
    each count for their own days)."""
    in_month: Term = at_start
    before: Term = at_start
    for when, after in zip(price_change_month, after_changes):
        in_month = in_month + (after - before) * _share_of_month_after(when)
        before = after
    return in_month


def _price_history(ratios: list[Input], name: str, label: str) -> Named:
    return named(name, label, where(has_api_price_history.gt(0.5), _after_changes(Const(1.0), ratios), 1), "ratio")


price_history_input_ratio = _price_history(
    price_change_input_ratio, "price_history_input_ratio", "recorded input price this month / at the start")
"""A change on the 17th of a 31-day month: that month pays the old price for 16 days and the new one for 15
(invoices bill each request at the price of its day). The time-of-day ratios are averaged with the price as weight,
so a month whose price and peak window both change pays the day-by-day bill; a long-context tier that changes in
the same month as the price is weighted likewise: each cost line pays the day-by-day bill."""
price_history_output_ratio = _price_history(
    price_change_output_ratio, "price_history_output_ratio", "recorded output price this month / at the start")
price_history_cache_read_ratio = _price_history(
    price_change_cache_read_ratio, "price_history_cache_read_ratio", "recorded cache read price this month / at the start")
price_history_cache_write_ratio = _price_history(
    price_change_cache_write_ratio, "price_history_cache_write_ratio", "recorded cache write price this month / at the start")

api_million_input_tokens = named("api_million_input_tokens", "million input tokens sent to the API",
                                 requests_in_month * api_share * input_tokens_per_request * in_horizon / MILLION, "million tokens")
api_million_output_tokens = named("api_million_output_tokens", "million output tokens from the API",
                                  requests_in_month * api_share * output_tokens_per_request * in_horizon / MILLION, "million tokens")
api_million_reasoning_tokens = named("api_million_reasoning_tokens", "million reasoning tokens from the API",
                                     requests_in_month * api_share * reasoning_tokens_per_request * in_horizon / MILLION, "million tokens")

# long-context tiers, call by call: call k of a request sends input + (k - 1) x growth tokens
def _long_context_terms(threshold: Term, input_ratio: Term, output_ratio: Term, suffix: str = "", after: str = "") -> tuple:
    """The tier's price multipliers for input and output, written once for the tier in force at the start (`suffix` "")
    and for the tier after each recorded price change (a tier added, dropped or re-priced in the horizon)."""
    first = named(
        f"first_long_context_call{suffix}", f"first call of a request whose input exceeds the long-context threshold{after}",
        where(input_tokens.gt(threshold), 1,
              where(context_growth_per_call_tokens.gt(0),
                    minimum(floor((threshold - input_tokens) / maximum(context_growth_per_call_tokens, 1)) + 2,
                            llm_calls_per_request + 1),
                    llm_calls_per_request + 1)), "call")
    calls = named(f"long_context_calls{suffix}", f"calls per request that pay the long-context tier{after}",
                  maximum(llm_calls_per_request - first + 1, 0), "calls")
    input_share = named(
        f"long_context_input_share{suffix}", f"share of input tokens in calls that pay the long-context tier{after}",
        where(calls.gt(0),
              (calls * input_tokens + context_growth_per_call_tokens * calls * (first - 1 + llm_calls_per_request - 1) / 2)
              / maximum(llm_calls_per_request * input_tokens
                        + context_growth_per_call_tokens * llm_calls_per_request * (llm_calls_per_request - 1) / 2, 1e-12),
              0), "fraction")
    call_share = named(f"long_context_call_share{suffix}", f"share of calls (and their output) that pay the long-context tier{after}",
                       calls / llm_calls_per_request, "fraction")
    input_factor = named(f"long_context_input_factor{suffix}", f"input price multiplier from long-context calls{after}",
                         1 + input_share * (input_ratio - 1), "ratio")
    output_factor = named(f"long_context_output_factor{suffix}", f"output price multiplier from long-context calls{after}",
                          1 + call_share * (output_ratio - 1), "ratio")
    return first, calls, input_share, call_share, input_factor, output_factor


(first_long_context_call, long_context_calls, long_context_input_share, long_context_call_share,
 long_context_input_factor, long_context_output_factor) = _long_context_terms(
    long_context_above_input_tokens, long_context_input_ratio, long_context_output_ratio)
"""Each call is its own API request: only the calls that cross the threshold pay the tier."""
_long_context_after_change = [
    _long_context_terms(threshold, input_ratio, output_ratio, f"_after_change_{k}", f" (after recorded price change {k})")[4:]
    for k, (threshold, input_ratio, output_ratio) in enumerate(zip(
        price_change_long_context_above_input_tokens, price_change_long_context_input_ratio,
        price_change_long_context_output_ratio), start=1)]


# time-of-day prices, hour by hour along the workload's profile
price_window_traffic_share = named(
    "price_window_traffic_share", "share of the traffic sent in the time-of-day price window",
    total(w * x for w, x in zip(profile, price_window)) / PROFILE_HOURS, "fraction")


def _time_of_day_ratio(at_start: Input, after_changes: list[Input], price_ratios: list[Input], history: Named,
                       name: str, label: str) -> Named:
    """The window's price / the standard price in force this month.

    Why per month: each window keeps its own recorded price (BILLING.md 1.4: on 2026-09-10 DeepSeek's
    off-peak price fell and its peak price did not follow by the same ratio), so a recorded change
    moves the ratio, not only the standard price. Why weighted by the standard price (`price_ratios`, whose
    month's average is `history`): in a month with a change the bill is the sum over its days of price x window
    multiplier, so the ratio is averaged with the price as weight; times the averaged price it gives that sum
    (DeepSeek's prices and its peak window both changed on 2026-08-17).
    """
    weighted = _after_changes(at_start, [price * ratio for price, ratio in zip(price_ratios, after_changes)])
    return named(name, label, where(has_api_price_history.gt(0.5), weighted / maximum(history, 1e-300), at_start), "ratio")


time_of_day_input_ratio_in_month = _time_of_day_ratio(
    time_of_day_input_ratio, price_change_time_of_day_input_ratio, price_change_input_ratio, price_history_input_ratio,
    "time_of_day_input_ratio_in_month", "time-of-day input price / standard input price this month")
time_of_day_output_ratio_in_month = _time_of_day_ratio(
    time_of_day_output_ratio, price_change_time_of_day_output_ratio, price_change_output_ratio, price_history_output_ratio,
    "time_of_day_output_ratio_in_month", "time-of-day output price / standard output price this month")
time_of_day_cache_read_ratio_in_month = _time_of_day_ratio(
    time_of_day_cache_read_ratio, price_change_time_of_day_cache_read_ratio, price_change_cache_read_ratio,
    price_history_cache_read_ratio, "time_of_day_cache_read_ratio_in_month",
    "time-of-day cache read price / standard cache read price this month")


def _time_of_day_multiplier(window_ratio: Term) -> Term:
    """What a token costs on average, relative to the standard price, when the window's share of the traffic pays
    `window_ratio` times it."""
    return 1 + price_window_traffic_share * (window_ratio - 1)


time_of_day_input_factor = named("time_of_day_input_factor", "input price multiplier from time-of-day prices",
                                 _time_of_day_multiplier(time_of_day_input_ratio_in_month), "ratio")
time_of_day_output_factor = named("time_of_day_output_factor", "output price multiplier from time-of-day prices",
                                  _time_of_day_multiplier(time_of_day_output_ratio_in_month), "ratio")
time_of_day_cache_read_factor = named("time_of_day_cache_read_factor", "cache read price multiplier from time-of-day prices",
                                      _time_of_day_multiplier(time_of_day_cache_read_ratio_in_month), "ratio")

def _long_context_in_month(at_start: Named, after_changes: list[Named], price_ratios: list[Input],
                           window_ratio_at_start: Input, window_ratios: list[Input], name: str, label: str) -> Named:
    """The multiplier of the long-context tiers in force this month, for their days, for one cost line: a recorded
    change can add, drop or re-price a tier. Weighted, as the time-of-day ratio is, by what the line pays a token on
    each day (its recorded price x its time-of-day multiplier), so that times the line's averaged price and
    time-of-day multiplier it gives the day-by-day bill (OpenRouter's Gemini 2.5 Pro added a tier and cut its cache
    price on the same day, 2026-10-19)."""
    weights = [price * _time_of_day_multiplier(ratio) for price, ratio in zip(price_ratios, window_ratios)]
    start_weight = _time_of_day_multiplier(window_ratio_at_start)
    weighted = _after_changes(at_start * start_weight, [factor * weight for factor, weight in zip(after_changes, weights)])
    paid_in_month = _after_changes(start_weight, weights)
    return named(name, label, where(has_api_price_history.gt(0.5), weighted / maximum(paid_in_month, 1e-300), at_start),
                 "ratio")


_input_after_changes = [f[0] for f in _long_context_after_change]
long_context_input_factor_in_month = _long_context_in_month(
    long_context_input_factor, _input_after_changes, price_change_input_ratio, time_of_day_input_ratio,
    price_change_time_of_day_input_ratio, "long_context_input_factor_in_month",
    "input price multiplier from long-context calls this month")
long_context_cache_read_factor_in_month = _long_context_in_month(
    long_context_input_factor, _input_after_changes, price_change_cache_read_ratio, time_of_day_cache_read_ratio,
    price_change_time_of_day_cache_read_ratio, "long_context_cache_read_factor_in_month",
    "cache read price multiplier from long-context calls this month")
long_context_cache_write_factor_in_month = _long_context_in_month(
    long_context_input_factor, _input_after_changes, price_change_cache_write_ratio, time_of_day_input_ratio,
    price_change_time_of_day_input_ratio, "long_context_cache_write_factor_in_month",
    "cache write price multiplier from long-context calls this month")
long_context_output_factor_in_month = _long_context_in_month(
    long_context_output_factor, [f[1] for f in _long_context_after_change], price_change_output_ratio,
    time_of_day_output_ratio, price_change_time_of_day_output_ratio, "long_context_output_factor_in_month",
    "output price multiplier from long-context calls this month")
"""Without a recorded change in the month all four are the tier's multiplier in force; they differ only in a month
whose tier and prices both change."""


def _after_batch(what: str, standard: Input, batch: Input) -> Named:
    """The price of `what` paid on average: batch-eligible requests at the batch price, the rest at the standard one."""
    name = f"blended_{standard.name}"
    return named(name, f"{what} price after the batch share",
                 (1 - batch_eligible_share) * standard + batch_eligible_share * batch, "USD per million tokens")


blended_input_usd_per_million_tokens = _after_batch("input", input_usd_per_million_tokens, batch_input_usd_per_million_tokens)
blended_output_usd_per_million_tokens = _after_batch("output", output_usd_per_million_tokens, batch_output_usd_per_million_tokens)
blended_cache_read_usd_per_million_tokens = _after_batch(
    "cache read", cache_read_usd_per_million_tokens, batch_cache_read_usd_per_million_tokens)
"""Batch requests read the cache at the batch cache price (the provider's, or the stated fallback)."""
blended_cache_write_usd_per_million_tokens = _after_batch(
    "cache write", cache_write_usd_per_million_tokens, batch_cache_write_usd_per_million_tokens)

api_input_usd = named("api_input_usd", "API: uncached input",
                      api_million_input_tokens * (1 - (cacheable_prefix_share + cache_write_share) * cached_call_share)
                      * blended_input_usd_per_million_tokens * long_context_input_factor_in_month * time_of_day_input_factor
                      * price_history_input_ratio * api_price_factor, "USD")
api_cache_read_usd = named("api_cache_read_usd", "API: cache reads",
                           api_million_input_tokens * cacheable_prefix_share * cached_call_share * blended_cache_read_usd_per_million_tokens
                           * long_context_cache_read_factor_in_month * time_of_day_cache_read_factor
                           * price_history_cache_read_ratio * api_price_factor, "USD")
api_cache_write_usd = named("api_cache_write_usd", "API: cache writes",
                            api_million_input_tokens * cache_write_share * cached_call_share * blended_cache_write_usd_per_million_tokens
                            * long_context_cache_write_factor_in_month * time_of_day_input_factor
                            * price_history_cache_write_ratio * api_price_factor, "USD")
api_output_usd = named("api_output_usd", "API: output",
                       api_million_output_tokens * blended_output_usd_per_million_tokens * long_context_output_factor_in_month
                       * time_of_day_output_factor * price_history_output_ratio * api_price_factor, "USD")
api_reasoning_usd = named("api_reasoning_usd", "API: reasoning (billed as output)",
                          api_million_reasoning_tokens * blended_output_usd_per_million_tokens * long_context_output_factor_in_month
                          * time_of_day_output_factor * price_history_output_ratio * api_price_factor, "USD")
api_request_fees_usd = named(
    "api_request_fees_usd", "API: per-request and tool fees",
    requests_in_month * api_share * in_horizon
    * (llm_calls_per_request * (1 + input_paid_per_sample * (samples_per_call - 1)) * usd_per_thousand_requests / 1000
       + tool_fee_usd_per_request) * api_price_factor, "USD")
"""Each LLM call is one API request; its samples ride in it when they share the input, else each sample is a
separate call, so a request of its own (the same flag that pays their input once per sample); tool / search fees
are per user request."""

# ------------------------------------------------------------------ self-hosted fleet
self_hosted_generations_per_s = named(
    "self_hosted_generations_per_s", "self-hosted completions per second, monthly average",
    generations_per_s_average * self_hosted_share, "per s")
replicas_static = named(
    "replicas_static", "replicas sized for the busiest hour",
    maximum(min_replicas, ceil(self_hosted_generations_per_s * peak_to_average / replica_capacity_per_s)) + spare_replicas, "replicas")
replica_hours_autoscaled = named(
    "replica_hours_autoscaled", "replica-hours when the fleet follows the hourly profile",
    total(maximum(min_replicas, ceil(self_hosted_generations_per_s * w / replica_capacity_per_s)) + spare_replicas
          for w in profile) * (HOURS_PER_MONTH / PROFILE_HOURS), "replica-hours")
replica_hours = named(
    "replica_hours", "replica-hours this month",
    has_self_hosted * in_horizon * where(
        is_overflow.gt(0.5), overflow_replicas * HOURS_PER_MONTH,
        where(is_autoscaled.gt(0.5), replica_hours_autoscaled, replicas_static * HOURS_PER_MONTH)),
    "replica-hours")


def _instances(replicas: Term) -> Term:
    """Whole instances that hold `replicas`: replicas are packed onto instances of N GPUs."""
    return ceil(replicas * gpus_per_replica / gpus_per_instance)


instances_static = named("instances_static", "instances of the fleet sized for the busiest hour",
                         _instances(replicas_static), "instances")
instance_hours = named(
    "instance_hours", "instance-hours this month (whole instances)",
    has_self_hosted * in_horizon * where(
        is_overflow.gt(0.5), _instances(overflow_replicas) * HOURS_PER_MONTH,
        where(is_autoscaled.gt(0.5),
              total(_instances(maximum(min_replicas, ceil(self_hosted_generations_per_s * w / replica_capacity_per_s)) + spare_replicas)
                    for w in profile) * (HOURS_PER_MONTH / PROFILE_HOURS),
              instances_static * HOURS_PER_MONTH)),
    "instance-hours")
"""A cloud bills instances, not GPUs: 3 replicas of 2 GPUs on 8-GPU instances rent one instance, 2 GPUs idle."""
instances_in_month = named("instances_in_month", "instances (average over the month)", instance_hours / HOURS_PER_MONTH, "instances")
gpu_hours = named("gpu_hours", "GPU-hours the fleet runs this month (whole instances)", instance_hours * gpus_per_instance, "GPU-hours")
"""What a rented fleet pays by the hour; owned and reserved GPUs are paid for whether they run or not (paid_gpu_hours)."""
gpus_busiest_hour = named(
    "gpus_busiest_hour", "GPUs paid in the busiest hour",
    has_self_hosted * in_horizon * gpus_per_instance * where(
        is_overflow.gt(0.5), _instances(overflow_replicas),
        where(is_autoscaled.gt(0.5),
              maximum(*[_instances(maximum(min_replicas, ceil(self_hosted_generations_per_s * w / replica_capacity_per_s)) + spare_replicas)
                        for w in profile]),
              instances_static)),
    "GPUs")
"""An autoscaled fleet is largest in its busiest hour; its average over the month is smaller."""
self_hosted_requests_in_month = named("self_hosted_requests_in_month", "requests served by the own fleet this month",
                                      requests_in_month * self_hosted_share * in_horizon, "requests")
self_hosted_tokens_in_month = named("self_hosted_tokens_in_month", "tokens served by the own fleet this month",
                                    tokens_in_month * self_hosted_share, "tokens")
def _gpu_price_change_at(when: Term, known: Input) -> Term:
    """GPU price at month `when` / the offer's price: the expected change counts from the last month the offer knows.

    The API's rule (api_price_decline_factor): a backtest's months that start on or before the offer's as_of
    date pay the offer's price, never a guessed change; a scenario starting after that date changes from month 1.
    """
    return where(has_gpu_price_history.gt(0.5),
                 (1 + gpu_price_change_per_year) ** (maximum(when - 1 - known, 0) / MONTHS_PER_YEAR),
                 (1 + gpu_price_change_per_year) ** ((when - 1) / MONTHS_PER_YEAR))


gpu_price_factor = named("gpu_price_factor", "GPU price multiplier (expected yearly change since the offer's price)",
                         _gpu_price_change_at(month, gpu_price_known_months), "ratio")
"""Symmetric with the API decline: a year after the offer's price GPU prices are (1 + change) of it."""
burst_gpu_price_factor = named("burst_gpu_price_factor", "burst GPU price multiplier (expected yearly change since the burst offer's price)",
                               _gpu_price_change_at(month, burst_gpu_price_known_months), "ratio")
"""A mixed fleet's bursts are rented from their own offer, priced on its own date."""

# ------------------------------------------------------------------ a reserved base with bursts (mixed)
base_replicas_whole = named("base_replicas_whole", "replicas of the reserved base (whole)",
                            maximum(floor(base_replicas + 0.5), 0), "replicas")
"""Sensitivity and Monte Carlo move the base size by fractions: a base is whole replicas."""


def _replicas_in_hour(w: Term) -> Term:
    return maximum(min_replicas, ceil(self_hosted_generations_per_s * w / replica_capacity_per_s)) + spare_replicas


base_gpus = named("base_gpus", "GPUs of the reserved base",
                  is_mixed * has_self_hosted * in_horizon * _instances(base_replicas_whole) * gpus_per_instance, "GPUs")
base_capacity_per_s = named("base_capacity_per_s", "completions per second the base may serve",
                            base_replicas_whole * replica_capacity_per_s, "per s")
burst_replicas_in_hour = [
    named(f"burst_replicas_h{h:02d}", f"replicas above the base in hour {h:02d}",
          maximum(_replicas_in_hour(w) - base_replicas_whole, 0), "replicas") for h, w in enumerate(profile)]
"""One named quantity per hour of the profile (a column each in the workbook): written inline, the
24 hours made the burst formulas longer than Excel's 8,192 characters per formula."""
burst_instances_in_hour = [
    named(f"burst_instances_h{h:02d}", f"burst instances rented in hour {h:02d}",
          ceil(burst * gpus_per_replica / burst_gpus_per_instance), "instances") for h, burst in enumerate(burst_replicas_in_hour)]
burst_instance_hours = named(
    "burst_instance_hours", "burst instance-hours this month (hours the profile needs more than the base)",
    is_mixed * has_self_hosted * in_horizon * total(burst_instances_in_hour) * (HOURS_PER_MONTH / PROFILE_HOURS), "instance-hours")
"""Hour by hour over the 24-hour profile, replicas above the base are rented as whole burst instances."""
burst_gpu_hours = named("burst_gpu_hours", "burst GPU-hours this month", burst_instance_hours * burst_gpus_per_instance, "GPU-hours")
base_gpu_hours = named("base_gpu_hours", "reserved base GPU-hours this month", base_gpus * HOURS_PER_MONTH, "GPU-hours")
base_served_per_s_day = named(
    "base_served_per_s_day", "completions per second the base serves, summed over the 24 hours",
    total(minimum(self_hosted_generations_per_s * w, base_capacity_per_s) for w in profile), "per s x hours")
base_utilization = named(
    "base_utilization", "busy share of the base replicas",
    where((is_mixed * base_replicas_whole).gt(0),
          base_served_per_s_day / maximum(base_replicas_whole * replica_generations_per_s * PROFILE_HOURS, 1e-12), 0), "fraction")
burst_utilization = named(
    "burst_utilization", "busy share of the burst replicas",
    where(burst_instance_hours.gt(0),
          (self_hosted_generations_per_s * PROFILE_HOURS - base_served_per_s_day)
          / maximum(total(burst_replicas_in_hour) * replica_generations_per_s, 1e-12),
          0), "fraction")
mixed_replica_hours = named(
    "mixed_replica_hours", "replica-hours of a reserved base with bursts (the base all month, bursts when needed)",
    is_mixed * has_self_hosted * in_horizon * (base_replicas_whole * PROFILE_HOURS + total(burst_replicas_in_hour))
    * (HOURS_PER_MONTH / PROFILE_HOURS), "replica-hours")
mixed_gpu_hours = named("mixed_gpu_hours", "GPU-hours a reserved base with bursts holds (base all month, bursts when rented)",
                        base_gpu_hours + burst_gpu_hours, "GPU-hours")
"""A mixed fleet is priced as its base and its bursts, not as the static fleet of its busiest hour (gpu_hours)."""
gpus_committed_needed = named("gpus_committed_needed", "GPUs to commit (the base of a mixed fleet, else the busiest hour's)",
                              where(is_mixed.gt(0.5), base_gpus, gpus_busiest_hour), "GPUs")

# ------------------------------------------------------------------ purchased GPUs: a committed fleet
MAX_REPLACEMENTS = 10  # tco.model.scenario.COMMITMENT_TERMS_FOLLOWED = MAX_REPLACEMENTS + 1
"""Lives of a purchased GPU followed over the horizon: 10 x a 12-month depreciation covers the
longest horizon (120 months); a scenario whose horizon outlasts 10 lives is refused (tco.model.scenario)."""

depreciation_months = named("depreciation_months", "depreciation period in whole months",
                            floor(depreciation_years * MONTHS_PER_YEAR + 0.5), "months")
"""Straight-line depreciation runs month by month: the period is rounded to whole months."""
gpus_needed_first_month = at_month(gpus_committed_needed, 1, "first")
"""GPUs needed in month 1. Not a named result of its own: it changes with the volume but not with the
month, and the workbook recomputes only month-dependent results at another volume (break-even check)."""


def _owned_at(month_term: Term) -> Term:
    """GPUs owned in another month: 0 before month 1, else the most ever needed up to then.

    With geometric growth the GPUs needed move in one direction, so the most needed so far is
    max(needed then, needed in month 1): a growing fleet buys more, a shrinking one keeps month 1's.
    """
    return where(month_term.ge(1), maximum(at_month(gpus_committed_needed, month_term, "lag"), gpus_needed_first_month), 0)


gpus_owned = named("gpus_owned", "GPUs owned (bought when first needed, then kept)",
                   is_purchased * maximum(gpus_committed_needed, gpus_needed_first_month), "GPUs")
"""Purchased GPUs are committed: a fleet that needs fewer later still owns, powers (at idle) and depreciates them."""

# ------------------------------------------------------------------ GPUs paid for, busy and idle
gpus_committed = named(
    "gpus_committed", "GPUs paid for whether needed or not (owned, or reserved for a term)",
    in_horizon * where((is_purchased + is_reserved * (1 - is_mixed)).gt(0.5),
                       maximum(gpus_committed_needed, gpus_needed_first_month), 0), "GPUs")
"""Bought or reserved when first needed, then kept: the count the purchases and the terms are paid on.
(A mixed fleet's base is reserved too; its GPUs paid are counted in base_gpu_hours and burst_gpu_hours.)"""
busy_gpu_hours = named("busy_gpu_hours", "GPU-hours of serving replicas",
                       where(is_mixed.gt(0.5), mixed_replica_hours, replica_hours) * gpus_per_replica, "GPU-hours")
held_gpu_hours = named("held_gpu_hours", "GPU-hours the fleet holds this month (whole instances; a mixed fleet's base and bursts)",
                       where(is_mixed.gt(0.5), mixed_gpu_hours, gpu_hours), "GPU-hours")
paid_gpu_hours = named("paid_gpu_hours", "GPU-hours paid for this month (rented, owned or reserved)",
                       maximum(held_gpu_hours, gpus_committed * HOURS_PER_MONTH), "GPU-hours")
"""A shrinking fleet still pays for every GPU it holds, busy or not: a reserved term is owed whole, an owned
GPU depreciates while idle (BILLING.md 4, IAS 16.55) and pays colocation."""
powered_gpu_hours = named("powered_gpu_hours", "GPU-hours drawing power this month",
                          maximum(held_gpu_hours, is_purchased * gpus_committed * HOURS_PER_MONTH), "GPU-hours")
"""Owned GPUs stay in the rack at idle draw when no replica needs them; a reserved GPU no replica
needs is not started (the cloud's instance, not yours, draws nothing for it)."""
gpus_in_month = named("gpus_in_month", "GPUs paid for (average over the month)", paid_gpu_hours / HOURS_PER_MONTH, "GPUs")
idle_gpus_in_month = named("idle_gpus_in_month", "GPUs paid for but holding no replica (average)",
                           (paid_gpu_hours - busy_gpu_hours) / HOURS_PER_MONTH, "GPUs")
utilization = named(
    "utilization", "average busy share of the GPUs paid for",
    where(busy_gpu_hours.gt(0),
          self_hosted_generations_per_s * in_horizon * HOURS_PER_MONTH * gpus_per_replica
          / maximum(paid_gpu_hours * replica_generations_per_s, 1e-12),
          0), "fraction")
"""Derived from the load, never typed in: idle hours between peaks, GPUs left idle in a whole instance and
GPUs kept after demand fell are what self-hosting pays for."""

energy_kwh_in_month = named(
    "energy_kwh_in_month", "energy drawn this month (facility, incl. PUE)",
    (powered_gpu_hours * idle_power_share + paid_gpu_hours * utilization * (1 - idle_power_share))
    * server_power_per_gpu_kw * pue, "kWh")
"""Server power per GPU (the sourced server-to-GPU ratio that also sizes colocation): every powered
GPU draws idle, and the load adds (1 - idle) x full draw for the GPU-hours it keeps busy
(paid GPU-hours x utilization). Shown for rented fleets too."""
carbon_kg_co2e_in_month = named("carbon_kg_co2e_in_month", "emissions this month (location-based)",
                                energy_kwh_in_month * grid_gco2e_per_kwh / GRAMS_PER_KG, "kgCO2e")
"""Scope 2, location-based: the facility's energy x the grid's average intensity. Rented fleets too."""
gpu_replacement_price_factor = named(
    "gpu_replacement_price_factor", "price of a replacement / price of the GPU it replaces",
    (1 + gpu_price_change_per_year) ** (depreciation_months / MONTHS_PER_YEAR), "ratio")


def _bought_usd(lag: int) -> Term:
    """Purchase value of the GPUs first bought `lag` depreciation periods ago (0 before month 1)."""
    when = month - lag * depreciation_months if lag else month
    return named(
        f"gpus_first_bought_usd_lag{lag}", f"GPUs first bought {lag} depreciation period(s) ago, at their price (a backtest: the offer's)",
        is_purchased * (_owned_at(when) - _owned_at(when - 1)) * purchase_usd_per_gpu
        * where(has_gpu_price_history.gt(0.5), 1, (1 + gpu_price_change_per_year) ** ((when - 1) / MONTHS_PER_YEAR)), "USD")


_BOUGHT = [_bought_usd(lag) for lag in range(MAX_REPLACEMENTS + 1)]
gpu_retired_price_factor = named(
    "gpu_retired_price_factor", "GPU price multiplier one depreciation period ago (when the GPUs retiring now were bought)",
    _gpu_price_change_at(month - depreciation_months, gpu_price_known_months), "ratio")
gpu_capex_usd = named(
    "gpu_capex_usd", "GPU purchases this month (new GPUs and replacements)",
    total(where(has_gpu_price_history.gt(0.5), gpu_price_factor, gpu_replacement_price_factor ** lag) * _BOUGHT[lag]
          for lag in range(MAX_REPLACEMENTS + 1)), "USD")
"""New GPUs at this month's price; a GPU whose depreciation ended is replaced at this month's price
(the price it was bought at x the replacement price factor per life). In a backtest the GPUs are counted
at the offer's price and this month's price factor applies to them all: a GPU bought in the months the
offer knows is replaced at less than a full life's change."""
gpu_capex_retired_usd = named(
    "gpu_capex_retired_usd", "purchase value of GPUs reaching the end of their life this month",
    total(where(has_gpu_price_history.gt(0.5), gpu_retired_price_factor, gpu_replacement_price_factor ** (lag - 1)) * _BOUGHT[lag]
          for lag in range(1, MAX_REPLACEMENTS + 1)), "USD")
"""At the price they were last bought at, one life ago."""
gpu_capex_change_usd = named("gpu_capex_change_usd", "change of the purchase value in service",
                             gpu_capex_usd - gpu_capex_retired_usd, "USD")
gpu_capex_in_service_usd = named("gpu_capex_in_service_usd", "purchase value of the GPUs in service",
                                 running(gpu_capex_change_usd), "USD")
depreciation_usd = named("depreciation_usd", "GPUs: depreciation",
                         gpu_capex_in_service_usd * (1 - residual_value_share) / depreciation_months, "USD")
"""Straight line from the purchase month: (price - resale value) / months, then it stops."""
gpu_book_value_change_usd = named(
    "gpu_book_value_change_usd", "change of the book value",
    gpu_capex_usd - residual_value_share * gpu_capex_retired_usd - depreciation_usd, "USD")
gpu_book_value_usd = named("gpu_book_value_usd", "book value of the GPUs at the end of the month",
                           running(gpu_book_value_change_usd), "USD")
"""Falls monthly by the depreciation; a retired GPU leaves at its resale value."""
cost_of_capital_usd = named("cost_of_capital_usd", "GPUs: cost of capital",
                            (gpu_book_value_usd + depreciation_usd) * cost_of_capital_per_year / MONTHS_PER_YEAR, "USD")
"""Interest on the month's book value (after this month's purchases, before its depreciation)."""
gpu_resale_usd = named(
    "gpu_resale_usd", "GPUs sold (end of life, and all at the end of the horizon)",
    residual_value_share * gpu_capex_retired_usd + where(month.eq(horizon_months), gpu_book_value_usd, 0), "USD")
"""At end of life a GPU sells for its residual value; at the horizon's end the fleet is valued at book value."""

# ------------------------------------------------------------------ reserved GPUs: a contract per term
def _earlier(lag: int, when: Term) -> Term:
    """GPUs owned the month before `when`, taken from those owned at `when` to leave the ones first signed then; at the
    last lag of a 1-month term, 0: that lag counts every GPU first signed at or before it. A 1-month term renews all of
    the fleet each month, so the lags' sum is the GPUs owned now, over any horizon (the 10-renewal limit of longer terms,
    tco.model.scenario.COMMITMENT_TERMS_FOLLOWED, does not apply to it)."""
    if lag < MAX_REPLACEMENTS:
        return _owned_at(when - 1)
    return where(term_months.gt(1), _owned_at(when - 1), 0)


def _reserved_started_usd(lag: int) -> Term:
    """Contract value of the terms first signed `lag` terms ago (0 before month 1): GPUs x price x hours x term."""
    when = month - lag * term_months if lag else month
    return named(
        f"reserved_first_signed_usd_lag{lag}", f"GPU terms first signed {lag} term(s) ago, at their price (a backtest: the offer's)",
        is_reserved * (_owned_at(when) - _earlier(lag, when)) * gpu_usd_per_hour * HOURS_PER_MONTH * term_months
        * where(has_gpu_price_history.gt(0.5), 1, (1 + gpu_price_change_per_year) ** ((when - 1) / MONTHS_PER_YEAR)), "USD")


_SIGNED = [_reserved_started_usd(lag) for lag in range(MAX_REPLACEMENTS + 1)]
reserved_renewal_price_factor = named(
    "reserved_renewal_price_factor", "price of a renewed term / price of the term it renews",
    (1 + gpu_price_change_per_year) ** (term_months / MONTHS_PER_YEAR), "ratio")
reserved_ended_price_factor = named(
    "reserved_ended_price_factor", "GPU price multiplier one term ago (when the terms ending now were signed)",
    _gpu_price_change_at(month - term_months, gpu_price_known_months), "ratio")
reserved_signed_usd = named(
    "reserved_signed_usd", "GPU terms signed this month (new and renewed), whole term",
    total(where(has_gpu_price_history.gt(0.5), gpu_price_factor, reserved_renewal_price_factor ** lag) * _SIGNED[lag]
          for lag in range(MAX_REPLACEMENTS + 1)), "USD")
"""GPUs are reserved when first needed and kept; a term that ends inside the horizon is renewed at the then-current
price. In a backtest the terms are counted at the offer's price and this month's price factor applies to them all:
a term signed in the months the offer knows is renewed at less than a full term's change."""
reserved_ended_usd = named(
    "reserved_ended_usd", "contract value of the terms that ended last month",
    total(where(has_gpu_price_history.gt(0.5), reserved_ended_price_factor, reserved_renewal_price_factor ** (lag - 1)) * _SIGNED[lag]
          for lag in range(1, MAX_REPLACEMENTS + 1)), "USD")
"""At the price of their last signing, one term ago."""
reserved_in_term_change_usd = named("reserved_in_term_change_usd", "change of the contract value running",
                                    reserved_signed_usd - reserved_ended_usd, "USD")
reserved_in_term_usd = named("reserved_in_term_usd", "contract value of the terms running",
                             running(reserved_in_term_change_usd), "USD")
reserved_start_weighted_change_usd = named(
    "reserved_start_weighted_change_usd", "change of the running terms' value x their start month",
    reserved_signed_usd * month - reserved_ended_usd * (month - term_months), "USD-months")
reserved_start_weighted_usd = named("reserved_start_weighted_usd", "running terms' value x their start month",
                                    running(reserved_start_weighted_change_usd), "USD-months")
reserved_beyond_horizon_owed_usd = named(
    "reserved_beyond_horizon_owed_usd", "part of the running terms that falls after the horizon",
    where(month.eq(horizon_months),
          (reserved_start_weighted_usd + (term_months - 1 - horizon_months) * reserved_in_term_usd)
          / term_months, 0), "USD")
"""A term started in month s runs to s + T - 1: its value / T x (s + T - 1 - H) months fall after the horizon H."""
month_discount_factor = named("month_discount_factor", "discount factor of one month",
                              1 / (1 + discount_rate_per_year) ** (1 / MONTHS_PER_YEAR), "ratio")
reserved_start_discounted_change_usd = named(
    "reserved_start_discounted_change_usd", "change of the running terms' value x the discount factor of their start month",
    reserved_signed_usd * month_discount_factor ** month - reserved_ended_usd * month_discount_factor ** (month - term_months), "USD")
reserved_start_discounted_usd = named("reserved_start_discounted_usd", "running terms' value x the discount factor of their start month",
                                      running(reserved_start_discounted_change_usd), "USD")
reserved_start_weighted_discounted_change_usd = named(
    "reserved_start_weighted_discounted_change_usd",
    "change of the running terms' value x their start month x the discount factor of their start month",
    reserved_signed_usd * month * month_discount_factor ** month
    - reserved_ended_usd * (month - term_months) * month_discount_factor ** (month - term_months), "USD-months")
reserved_start_weighted_discounted_usd = named(
    "reserved_start_weighted_discounted_usd", "running terms' value x their start month x the discount factor of their start month",
    running(reserved_start_weighted_discounted_change_usd), "USD-months")
horizon_share_refund_present_value_usd = named(
    "horizon_share_refund_present_value_usd", "upfront paid for the months after the horizon, valued when it was paid",
    where(month.eq(horizon_months),
          upfront_share * (reserved_start_weighted_discounted_usd + (term_months - 1 - horizon_months) * reserved_start_discounted_usd)
          / term_months / month_discount_factor, 0), "USD")
"""`beyond_horizon: horizon-share` counts only the horizon's months of a term: the upfront paid for the months after
it is taken off where it was paid, at the start of the term's month s (each of the n = s + T - 1 - H months after the
horizon is V / T of a term of value V, discounted d^(s - 1)): V / T x n x d^(s - 1), summed over the running terms.
Taken off at the horizon's end instead, a refund discounted more than the payment it undoes, the NPV came out above
the cash paid."""
reserved_beyond_horizon_owed_present_value_usd = named(
    "reserved_beyond_horizon_owed_present_value_usd", "part of the running terms after the horizon, discounted to the horizon's end",
    where(month.eq(horizon_months),
          where(discount_rate_per_year.gt(0),
                month_discount_factor / maximum(1 - month_discount_factor, 1e-300)
                * (reserved_in_term_usd - month_discount_factor ** (term_months - 1 - horizon_months) * reserved_start_discounted_usd)
                / term_months,
                reserved_beyond_horizon_owed_usd), 0), "USD")
"""Each month past the horizon is paid at its own month end (README "Cash and accounting views", BILLING.md 4 NPV
timing). A term of value V started in month s pays V / T in months H + 1 .. s + T - 1, worth at month H
V / T x d (1 - d^n) / (1 - d), d the discount factor of one month, n = s + T - 1 - H; summed over the running terms,
d^n = d^(T - 1 - H) x d^s. Without discounting (d = 1, where the closed form is 0 / 0) it is the nominal amount."""

# ------------------------------------------------------------------ self-hosted cost lines
gpu_rental_usd = named("gpu_rental_usd", "GPUs: rental",
                       (1 - is_purchased - is_reserved) * gpu_hours * (1 + spot_interruption_overhead) * gpu_usd_per_hour * gpu_price_factor, "USD")
burst_usd = named("burst_usd", "GPUs: bursts above the reserved base",
                   burst_gpu_hours * (1 + spot_interruption_overhead) * burst_gpu_usd_per_hour * burst_gpu_price_factor, "USD")
reserved_usd = named("reserved_usd", "GPUs: reserved terms (spread over each term)",
                      reserved_in_term_usd / term_months, "USD")
"""The accounting view: each term's price, upfront part included, spread evenly over its months."""
reserved_beyond_horizon_usd = named(
    "reserved_beyond_horizon_usd", "GPUs: reserved terms owed past the horizon",
    count_beyond_horizon * reserved_beyond_horizon_owed_usd, "USD")
"""The whole term is owed: with `beyond_horizon: owed` the rest of a term that outlasts the horizon is its own line."""
power_usd = named("power_usd", "power",
                  is_purchased * energy_kwh_in_month * usd_per_kwh
                  * (1 + power_inflation_per_year) ** ((month - 1) / MONTHS_PER_YEAR), "USD")
"""Cloud prices include power: only owned GPUs pay it."""
hosting_usd = named("hosting_usd", "hosting / colocation",
                    gpus_owned * server_power_per_gpu_kw * hosting_usd_per_kw_month, "USD")
"""Colocation is paid for every GPU owned, busy or not."""
staff_usd = named("staff_usd", "staff",
                  has_self_hosted * in_horizon * staff_fte * staff_usd_per_fte_year / MONTHS_PER_YEAR * staff_share
                  * (1 + staff_inflation_per_year) ** ((month - 1) / MONTHS_PER_YEAR), "USD")
software_usd = named("software_usd", "software and support", gpus_in_month * software_usd_per_gpu_month, "USD")
setup_cost_usd = named("setup_cost_usd", "one-time setup", has_self_hosted * where(month.eq(1), setup_usd, 0), "USD")
storage_usd = named("storage_usd", "storage", has_self_hosted * in_horizon * storage_gb * storage_usd_per_gb_month, "USD")
egress_usd = named("egress_usd", "network egress",
                   requests_in_month * self_hosted_share * in_horizon * egress_gb_per_request * egress_usd_per_gb, "USD")
maintenance_usd = named("maintenance_usd", "hardware maintenance / support",
                        gpu_capex_in_service_usd * maintenance_share_of_capex_per_year / MONTHS_PER_YEAR, "USD")
"""A support contract priced as a yearly share of the purchase price of the hardware in service."""

COST_LINES: tuple = (
    api_input_usd, api_cache_read_usd, api_cache_write_usd, api_output_usd, api_reasoning_usd, api_request_fees_usd,
    gpu_rental_usd, reserved_usd, reserved_beyond_horizon_usd, burst_usd, depreciation_usd, cost_of_capital_usd, power_usd, hosting_usd, staff_usd,
    software_usd, setup_cost_usd, storage_usd, egress_usd, maintenance_usd,
)
"""The cost lines of a month, in the order every view shows them."""

API_LINES = (api_input_usd, api_cache_read_usd, api_cache_write_usd, api_output_usd, api_reasoning_usd, api_request_fees_usd)
SELF_HOSTED_LINES = tuple(line for line in COST_LINES if line not in API_LINES)

monthly_cost_usd = named("monthly_cost_usd", "cost this month", total(COST_LINES) * in_horizon, "USD")
"""The accounting basis: purchases are spread as depreciation, plus the cost of the capital tied up.
Nothing after the horizon (a workbook whose horizon is shortened by hand keeps its month rows)."""
reserved_cash_usd = named(
    "reserved_cash_usd", "cash paid for reserved terms this month",
    upfront_share * reserved_signed_usd + (1 - upfront_share) * reserved_usd
    + (count_beyond_horizon * (1 - upfront_share) - (1 - count_beyond_horizon) * upfront_share) * reserved_beyond_horizon_owed_usd,
    "USD")
"""Upfront parts when a term starts, the rest monthly; at the horizon's end the monthly parts still owed
(`owed`), or a refund of the upfront paid for months past it (`horizon-share`), so both views total the same."""
cash_cost_usd = named(
    "cash_cost_usd", "cash paid this month",
    (monthly_cost_usd - depreciation_usd - cost_of_capital_usd + gpu_capex_usd - gpu_resale_usd
     - reserved_usd - reserved_beyond_horizon_usd + reserved_cash_usd) * in_horizon, "USD")
"""The cash basis: purchases in the month they are paid, sales as inflows; no depreciation and no
cost of capital (discounting the cash flows is what charges for the capital)."""
discount_factor = named("discount_factor", "discount factor",
                        1 / (1 + discount_rate_per_year) ** (month / MONTHS_PER_YEAR), "ratio")
"""Costs are paid at the end of each month (Excel's NPV convention, BILLING.md 4)."""
start_of_month_discount_factor = named("start_of_month_discount_factor", "discount factor of the month's first day",
                                       1 / (1 + discount_rate_per_year) ** ((month - 1) / MONTHS_PER_YEAR), "ratio")
outlays_at_month_start_usd = named(
    "outlays_at_month_start_usd", "paid on the month's first day: GPU purchases and the upfront parts of reserved terms",
    (gpu_capex_usd + upfront_share * reserved_signed_usd) * in_horizon, "USD")
"""An investment is paid when the GPUs arrive or the term is signed, at the start of its month: month 1's is the
t = 0 outlay that BILLING.md 4 puts outside Excel's NPV(), undiscounted, as the cost of capital charges it from the
start."""
reserved_beyond_horizon_discount_usd = named(
    "reserved_beyond_horizon_discount_usd", "what discounting the monthly parts owed past the horizon at their own months takes off",
    count_beyond_horizon * (1 - upfront_share) * (reserved_beyond_horizon_owed_usd - reserved_beyond_horizon_owed_present_value_usd),
    "USD")
"""The cash view shows the monthly parts still owed at the horizon's end as one amount in its last month; they
are paid in the months after it, so NPV discounts each at its own month (README "Cash and accounting views")."""
horizon_share_refund_usd = named(
    "horizon_share_refund_usd", "upfront paid for the months after the horizon (beyond_horizon: horizon-share)",
    (1 - count_beyond_horizon) * upfront_share * reserved_beyond_horizon_owed_usd, "USD")
discounted_cost_usd = named("discounted_cost_usd", "discounted cash paid this month",
                            (cash_cost_usd - reserved_beyond_horizon_discount_usd - outlays_at_month_start_usd
                             + horizon_share_refund_usd) * discount_factor
                            + outlays_at_month_start_usd * start_of_month_discount_factor
                            - (1 - count_beyond_horizon) * horizon_share_refund_present_value_usd, "USD")
"""NPV is taken on cash flows, not on the accounting view: purchases and upfront parts discounted from the start of
the month they are paid, the rest from its end, the monthly parts owed past the horizon (booked in its last month)
at the months they fall due, and the upfront a horizon-share leaves out where it was paid."""

MONTHLY_RESULTS: tuple = (
    monthly_cost_usd, discounted_cost_usd, requests_in_month, tokens_in_month, gpus_in_month, utilization,
    api_share, instances_in_month, idle_gpus_in_month, gpus_busiest_hour, energy_kwh_in_month, self_hosted_tokens_in_month,
    carbon_kg_co2e_in_month, self_hosted_requests_in_month,
    cash_cost_usd, gpus_owned, gpu_capex_usd, gpu_resale_usd, gpu_book_value_usd, reserved_signed_usd, reserved_cash_usd,
    base_gpu_hours, burst_gpu_hours, base_utilization, burst_utilization,
)
"""Monthly figures shown next to the cost lines."""


def per_unit(total_usd: Term, units_total: Term) -> Term:
    """Cost per unit over the horizon; 0 when nothing was served."""
    return where(units_total.gt(0), total_usd / maximum(units_total, 1e-300), 0)


LINE_LABELS = {line.name: line.label for line in COST_LINES}

# ------------------------------------------------------------------ over the whole horizon
# Sums over the months of the horizon are inputs named `sum_<monthly result>`: polars sums the
# monthly column, the workbook writes SUM() over it. What is built on them is written once here.
sum_monthly_cost_usd = Input("sum_monthly_cost_usd", "total cost over the horizon", "USD")
sum_discounted_cost_usd = Input("sum_discounted_cost_usd", "sum of discounted monthly cash flows", "USD")
sum_cash_cost_usd = Input("sum_cash_cost_usd", "cash paid over the horizon", "USD")
sum_requests_in_month = Input("sum_requests_in_month", "requests over the horizon", "requests")
sum_tokens_in_month = Input("sum_tokens_in_month", "tokens over the horizon", "tokens")
sum_energy_kwh_in_month = Input("sum_energy_kwh_in_month", "energy over the horizon", "kWh")
sum_carbon_kg_co2e_in_month = Input("sum_carbon_kg_co2e_in_month", "emissions over the horizon", "kgCO2e")
sum_self_hosted_requests_in_month = Input("sum_self_hosted_requests_in_month", "requests served by the own fleet over the horizon", "requests")
sum_self_hosted_tokens_in_month = Input("sum_self_hosted_tokens_in_month", "tokens served by the own fleet over the horizon", "tokens")

total_cost_usd = named("total_cost_usd", "total cost over the horizon", sum_monthly_cost_usd, "USD")
npv_usd = named("npv_usd", "net present cost (NPV of the monthly cash flows)", sum_discounted_cost_usd, "USD")
total_cash_usd = named("total_cash_usd", "cash paid over the horizon (net of sales)", sum_cash_cost_usd, "USD")
cost_per_million_tokens_usd = named(
    "cost_per_million_tokens_usd", "cost per million tokens",
    per_unit(sum_monthly_cost_usd, sum_tokens_in_month) * MILLION, "USD per million tokens")
cost_per_request_usd = named(
    "cost_per_request_usd", "cost per request", per_unit(sum_monthly_cost_usd, sum_requests_in_month), "USD per request")
cost_per_llm_call_usd = named(
    "cost_per_llm_call_usd", "cost per LLM call",
    per_unit(sum_monthly_cost_usd, sum_requests_in_month * llm_calls_per_request), "USD per call")

energy_kwh = named("energy_kwh", "energy over the horizon", sum_energy_kwh_in_month, "kWh")
energy_kwh_per_million_tokens = named(
    "energy_kwh_per_million_tokens", "energy per million tokens served by the own fleet",
    per_unit(sum_energy_kwh_in_month, sum_self_hosted_tokens_in_month) * MILLION, "kWh per million tokens")

carbon_kg_co2e = named("carbon_kg_co2e", "emissions over the horizon (location-based)", sum_carbon_kg_co2e_in_month, "kgCO2e")
carbon_kg_co2e_per_request = named(
    "carbon_kg_co2e_per_request", "emissions per request served by the own fleet",
    per_unit(sum_carbon_kg_co2e_in_month, sum_self_hosted_requests_in_month), "kgCO2e per request")
carbon_kg_co2e_per_million_tokens = named(
    "carbon_kg_co2e_per_million_tokens", "emissions per million tokens served by the own fleet",
    per_unit(sum_carbon_kg_co2e_in_month, sum_self_hosted_tokens_in_month) * MILLION, "kgCO2e per million tokens")

HORIZON_RESULTS: tuple = (total_cost_usd, npv_usd, total_cash_usd, cost_per_million_tokens_usd, cost_per_request_usd, cost_per_llm_call_usd,
                          energy_kwh, energy_kwh_per_million_tokens, carbon_kg_co2e, carbon_kg_co2e_per_request,
                          carbon_kg_co2e_per_million_tokens)
"""Results over the whole horizon, built on sums of monthly results."""
