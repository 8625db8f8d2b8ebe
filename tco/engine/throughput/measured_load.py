"""Which measurements describe the load a throughput query asks about.

Why a separate rule: published rows are offline maximum throughput (every request queued at once),
while a team's own benchmark runs usually hold a fixed number of requests in flight. A row answers
a query only at the load it was measured at: an offline row a `--concurrency max` query, a
fixed-concurrency row a query at that same concurrency. Runs at a fixed request rate describe
neither and are kept for reference only.
"""

from __future__ import annotations

OFFLINE = "offline_max_throughput"
FIXED_CONCURRENCY = "fixed_concurrency"
FIXED_REQUEST_RATE = "fixed_request_rate"


def same_load(measurement, config) -> bool:
    """True when `measurement` was taken at the load `config` asks for (concurrency None = offline maximum)."""
    if config.concurrency is None:
        return measurement.scenario == OFFLINE and measurement.concurrency is None
    return measurement.scenario == FIXED_CONCURRENCY and measurement.concurrency == config.concurrency


def same_request_latency(measurement, config) -> bool:
    """True when `measurement` stands for the time outside the engine's steps that `config` states (both unstated, or
    the same figure). Why only under a load in flight: there each request's TTFT is time it holds a slot without
    decoding, so a stack's latency moves the throughput; a row that queued every request at once is the engine's
    ceiling whatever it is."""
    return measurement.scenario == OFFLINE or measurement.request_latency_ms == config.request_latency_ms
