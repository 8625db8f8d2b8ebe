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
