"""Unit conventions used by every formula. Each constant says why it has its value."""

HOURS_PER_YEAR = 8760.0
"""365 days x 24 h; leap days are ignored, as cloud price sheets do."""

HOURS_PER_MONTH = HOURS_PER_YEAR / 12
"""730 h: the convention cloud providers use to turn hourly prices into monthly ones."""

DAYS_PER_MONTH = 365.0 / 12
"""30.4167 days: an average month, so that 12 months make exactly one year of requests."""

SECONDS_PER_HOUR = 3600.0

TOKENS_PER_MILLION = 1_000_000.0
"""API prices are quoted per million tokens."""

WATTS_PER_KILOWATT = 1000.0

MONTHS_PER_YEAR = 12.0
