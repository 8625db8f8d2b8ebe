"""Capability next to cost: which options meet the scenario's bar, cost per capability point, frontier.

Why separate from compare.py: capability is optional data about the world; the cost engine works
without it, and this step only adds columns and splits the ranking.
"""

from __future__ import annotations

import polars as pl

from tco.engine.capability import OptionInput, ScoreBook, Verdict, assess_options
from tco.model.scenario import ApiOption, ApiProvisionedOption, HybridOption, Scenario, SelfHostedOption

CAPABILITY_COLUMNS = {
    "capability_model": pl.String, "capability_score": pl.Float64, "capability_verdict": pl.String,
    "cost_per_capability_point_usd": pl.Float64, "on_capability_frontier": pl.Boolean, "capability_note": pl.String,
}


def quality_model_for(option, scenario: Scenario, quality) -> tuple[str | None, str | None]:
    """The quality id whose scores apply to an option, and a note when it cannot be told."""
    if quality is None:
        return None, "no capability data loaded"
    if isinstance(option, HybridOption):
        return None, None
    if option.quality_model:
        return option.quality_model, None
    if isinstance(option, (ApiOption, ApiProvisionedOption)):  # committed capacity serves an API model too
        for m in quality.models.values():
            if any(ref.provider == option.provider and ref.model == option.model for ref in m.api_models):
                return m.id, None
        return None, f"{option.provider}/{option.model} has no scores; set quality_model"
    candidates = sorted(m.id for m in quality.models.values() if m.open_weight_model == option.model)
    if len(candidates) == 1:
        return candidates[0], None
    if option.model in candidates:
        return option.model, None
    if candidates:
        return None, f"several releases share the {option.model} architecture ({', '.join(candidates)}): set quality_model"
    return None, f"no scores for {option.model}"


def add_capability(options: pl.DataFrame, scenarios: list[Scenario], quality, user_scores: dict[str, list]) -> pl.DataFrame:
    """Adds the CAPABILITY_COLUMNS and re-ranks: options below the bar are ranked apart."""
    values: dict[int, dict] = {}
    for scenario in scenarios:
        req = scenario.capability
        if req is None or quality is None:
            continue
        book = ScoreBook(quality.scores, user_scores.get(scenario.id, []))
        by_id = {o.id: o for o in scenario.options}
        rows = options.filter(pl.col("scenario") == scenario.id)
        ids: dict[int, tuple[str | None, str | None]] = {}
        for rec in rows.iter_rows(named=True):
            option = by_id[rec["option"]]
            if isinstance(option, HybridOption):
                parts = [quality_model_for(by_id[option.self_hosted], scenario, quality), quality_model_for(by_id[option.api], scenario, quality)]
                ids[rec["row"]] = parts[0] if parts[0][0] else parts[1]
                ids[rec["row"]] = ("|".join(p[0] or "?" for p in parts), "; ".join(p[1] for p in parts if p[1]) or None)
            else:
                ids[rec["row"]] = quality_model_for(option, scenario, quality)
        inputs = []
        for rec in rows.iter_rows(named=True):
            model_id, _ = ids[rec["row"]]
            for part in (model_id or "").split("|"):
                inputs.append((rec["row"], OptionInput(f"{rec['row']}:{part}", part, rec["cost_per_request_usd"])))
        assessed = assess_options(book, req, [i for _, i in inputs])
        per_row: dict[int, list] = {}
        for (row, _), a in zip(inputs, assessed):
            per_row.setdefault(row, []).append(a)
        for rec in rows.iter_rows(named=True):
            parts = per_row.get(rec["row"], [])
            # a hybrid is as capable as its weaker part
            scores = [a.capability for a in parts]
            score = None if not parts or any(s is None for s in scores) else min(scores)
            verdicts = {a.verdict for a in parts}
            verdict = Verdict.BELOW if Verdict.BELOW in verdicts else Verdict.UNKNOWN if (Verdict.UNKNOWN in verdicts or not parts) else Verdict.QUALIFIES
            values[rec["row"]] = {
                "capability_model": ids[rec["row"]][0],
                "capability_score": score,
                "capability_verdict": verdict.value,
                "cost_per_capability_point_usd": rec["cost_per_request_usd"] / score if score and score > 0 else None,
                "capability_note": ids[rec["row"]][1],
            }
        # frontier over the scenario's options with known capability
        known = [(r, v) for r, v in values.items() if r in set(rows["row"]) and v["capability_score"] is not None]
        for r, v in known:
            cost = options.filter(pl.col("row") == r)["cost_per_request_usd"][0]
            v["on_capability_frontier"] = not any(
                w["capability_score"] >= v["capability_score"] and c2 <= cost and (w["capability_score"] > v["capability_score"] or c2 < cost)
                for r2, w in known if r2 != r
                for c2 in [options.filter(pl.col("row") == r2)["cost_per_request_usd"][0]])
    cols = {name: [values.get(r, {}).get(name) for r in options["row"]] for name in CAPABILITY_COLUMNS}
    options = options.with_columns(pl.Series(name, cols[name], dtype=dtype) for name, dtype in CAPABILITY_COLUMNS.items())
    allowed = comparable(options)
    below = pl.col("excluded_reason").is_null() & (pl.col("capability_verdict").fill_null("") == "below")
    return options.with_columns(
        pl.when(allowed).then(pl.col("total_cost_usd").rank("ordinal").over(["scenario", allowed])).otherwise(None).cast(pl.Int32).alias("rank"),
        pl.when(below).then(pl.col("total_cost_usd").rank("ordinal").over(["scenario", below])).otherwise(None).cast(pl.Int32).alias("rank_below_requirement"),
    )


def comparable(options: pl.DataFrame) -> pl.Expr:
    """The options a scenario's answer weighs: not excluded, and not below its capability requirement where it has one
    (the `capability_verdict` column). The rank, the break-even's reference and the Monte Carlo's share all use it."""
    allowed = pl.col("excluded_reason").is_null()
    if "capability_verdict" not in options.columns:
        return allowed
    return allowed & (pl.col("capability_verdict").fill_null("") != "below")
