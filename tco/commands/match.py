"""`tco match`: open-weight models comparable to a closed model for one task category, and their prices."""

from __future__ import annotations

import argparse

from tco.commands._common import add_format

REMINDER = ("Public benchmarks only say which models are worth testing: a small evaluation on your own prompts "
            "beats them (pass it with --scores).")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "match", help="open-weight models comparable to a closed model for a task category",
        description="List the open-weight models whose public (or your own) scores come within --margin points of "
                    "MODEL for CATEGORY, compared on the benchmarks both have, with the rows used, the API prices "
                    "of each, and with --scenario what the scenario's options for them cost.")
    p.add_argument("--model", required=True, metavar="MODEL_ID", help="model id from pricing/quality/models.yaml (e.g. gpt-4.1)")
    p.add_argument("--category", required=True, metavar="CATEGORY",
                   help="coding, math, knowledge, instruction-following, agentic or chat")
    p.add_argument("--margin", type=float, default=3.0, metavar="POINTS", help="percent points below MODEL still counted as comparable (default: 3)")
    p.add_argument("--scores", metavar="FILE", help="your own evaluation: CSV model,metric,score,date[,category,note] or an lm-eval results JSON")
    p.add_argument("--scores-model", metavar="MODEL_ID", help="the model an lm-eval results JSON was run on")
    p.add_argument("--scenario", metavar="FILE", help="also show what this scenario's options for the matching models cost")
    p.add_argument("--cross-source", action="store_true",
                   help="also compare rows from different sources (vendor tables with different scaffolds; flagged)")
    p.add_argument("--all", action="store_true", help="also list the models below the bar or without comparable scores")
    add_format(p, ("table", "json"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from tco.engine.capability import CATEGORIES, Verdict, elo_evidence, meets_requirement
    from tco.errors import DataProblem, TcoUserError
    from tco.load.quality import load_quality, load_user_scores
    from tco.load.yaml_source import did_you_mean
    from tco.model.quality import CapabilityRequirement

    quality = load_quality()
    if args.model not in quality.models:
        raise TcoUserError(DataProblem("--model", None, "", f"unknown model id `{args.model}`",
                                       hint=did_you_mean(args.model, quality.models) or f"closed models with scores: {', '.join(quality.closed_models())}"))
    if args.category not in CATEGORIES:
        raise TcoUserError(DataProblem("--category", None, "", f"unknown category `{args.category}`",
                                       hint=did_you_mean(args.category, CATEGORIES) or f"one of {', '.join(CATEGORIES)}"))
    if not 0 <= args.margin <= 100:
        raise TcoUserError(DataProblem("--margin", None, "", f"must be between 0 and 100 percent points (got {args.margin})"))
    user = load_user_scores(Path(args.scores), quality.models, args.scores_model) if args.scores else []
    book = quality.book(user)
    requirement = CapabilityRequirement(category=args.category, comparable_to=args.model, margin_points=args.margin)

    reference = quality.models[args.model]
    checks = []
    for model in sorted(quality.models.values(), key=lambda m: m.id):
        if model.kind != "open-weight" or model.id == reference.id:
            continue
        checks.append((model, meets_requirement(book, model.id, requirement, args.cross_source)))
    order = {Verdict.QUALIFIES: 0, Verdict.BELOW: 1, Verdict.UNKNOWN: 2}
    checks.sort(key=lambda mc: (order[mc[1].verdict], -(mc[1].comparison.gap_points if mc[1].comparison and mc[1].comparison.gap_points is not None else -1e9), mc[0].id))
    shown = [(m, c) for m, c in checks if args.all or c.verdict == Verdict.QUALIFIES]

    prices = _PriceBook()
    candidates = []
    for model, check in shown:
        comp = check.comparison
        candidates.append({
            "model": model.id,
            "name": model.name,
            "verdict": check.verdict.value,
            "self_host_as": model.open_weight_model,
            "score": _round(comp.candidate_score) if comp else None,
            "reference_score": _round(comp.reference_score) if comp else None,
            "gap_points": _round(comp.gap_points) if comp else None,
            "basis": comp.basis if comp else None,
            "all_same_source": comp.all_same_source if comp else None,
            "evidence": _pairs(comp),
            "lmarena_elo": [_evidence(e) for e in elo_evidence(book, model.id, args.category)],
            "api_prices": [prices.row(ref.provider, ref.model) for ref in model.api_models],
        })
    result = {
        "model": reference.id,
        "name": reference.name,
        "category": args.category,
        "margin_points": args.margin,
        "cross_source": args.cross_source,
        "reminder": REMINDER,
        "model_api_prices": [prices.row(ref.provider, ref.model) for ref in reference.api_models],
        "model_lmarena_elo": [_evidence(e) for e in elo_evidence(book, reference.id, args.category)],
        "open_weight_models": candidates,
        "counts": {v.value: sum(1 for _, c in checks if c.verdict == v) for v in Verdict},
        "scenario_options": _scenario_options(args.scenario, reference, [m for m, c in checks if c.verdict == Verdict.QUALIFIES])
        if args.scenario else None,
    }
    if args.format == "json":
        import json

        from tco.report.table import json_safe

        json.dump(json_safe(result), sys.stdout, indent=2, default=str, allow_nan=False)
        sys.stdout.write("\n")
    else:
        _print_table(result, args)
    print(REMINDER, file=sys.stderr)
    return 0


def _round(value):
    return None if value is None else round(value, 2)


def _short(source: str) -> str:
    """Sources with 40-hex commit ids, shortened for tables (JSON keeps them whole)."""
    import re

    return re.sub(r"\b([0-9a-f]{7})[0-9a-f]{33}\b", r"\1", source)


def _evidence(e) -> dict:
    return {"benchmark": e.benchmark, "score": e.score, "unit": e.unit, "setting": e.setting,
            "reported_by": e.reported_by, "source": e.source, "as_of": e.as_of, "note": e.note}


def _pairs(comp) -> list[dict]:
    if comp is None:
        return []
    if comp.basis == "user" and not comp.pairs:
        return [{"candidate": _evidence(e), "reference": None, "same_source": False} for e in comp.candidate_evidence] + \
               [{"candidate": None, "reference": _evidence(e), "same_source": False} for e in comp.reference_evidence]
    return [{"benchmark": p.benchmark, "candidate": _evidence(p.candidate), "reference": _evidence(p.reference),
             "same_source": p.same_source} for p in comp.pairs]


class _PriceBook:
    """Prices read from the bundled price sheets, each sheet loaded once; absent sheets said so."""

    def __init__(self):
        import datetime as dt

        self.today = dt.date.today()
        self.sheets: dict = {}

    def _sheet(self, provider: str):
        if provider not in self.sheets:
            try:
                from tco.load.pricing import load_provider, pricing_dirs

                self.sheets[provider] = load_provider(provider, pricing_dirs())
            except ImportError:
                self.sheets[provider] = "price sheets not available in this version"
            except Exception as e:  # a missing or broken sheet must not hide the match
                from tco.errors import TcoUserError

                if not isinstance(e, TcoUserError):
                    raise
                self.sheets[provider] = f"no usable price sheet pricing/{provider}.yaml"
        return self.sheets[provider]

    def row(self, provider: str, model: str) -> dict:
        out = {"provider": provider, "api_model": model, "input_usd_per_million_tokens": None,
               "output_usd_per_million_tokens": None, "price_as_of": None, "price_note": None}
        sheet = self._sheet(provider)
        if isinstance(sheet, str):
            out["price_note"] = sheet
            return out
        from tco.engine.api_price import resolve_api_price

        try:
            price = resolve_api_price(sheet, model, self.today, 0)
        except ValueError as e:
            out["price_note"] = str(e).splitlines()[0]
            return out
        out.update(input_usd_per_million_tokens=price.input_usd_per_million_tokens,
                   output_usd_per_million_tokens=price.output_usd_per_million_tokens,
                   price_as_of=price.effective_from or price.as_of, price_note=price.tier_note)
        return out


def _scenario_options(path: str, reference, qualifying) -> list[dict]:
    """The scenario's options that run the reference model or a qualifying open model, with their cost."""
    from tco.run import run_scenarios

    results = run_scenarios(path).results
    by_arch: dict[str, list[str]] = {}
    by_api: dict[tuple[str, str], str] = {}
    for m in qualifying:
        if m.open_weight_model:
            by_arch.setdefault(m.open_weight_model, []).append(m.id)
        for ref in m.api_models:
            by_api[(ref.provider, ref.model.lower())] = m.id
    for ref in reference.api_models:
        by_api[(ref.provider, ref.model.lower())] = reference.id
    from tco.engine.ranking import mark_ties, shared_rank

    # ties are read among all the scenario's options, as `tco run` reads them, not among the matched ones only
    ranked = results.options.select("row", "scenario", "total_cost_usd", "rank").to_dicts()
    mark_ties(ranked)
    by_row = {r["row"]: r for r in ranked}
    rows = []
    for row in results.rows:
        option = next((o for s in results.scenarios if s.id == row.scenario_id for o in s.options if o.id == row.option_id), None)
        if option is None:
            continue
        if option.kind == "self-hosted" and option.model in by_arch:
            matched = ", ".join(by_arch[option.model])
        elif option.kind == "api" and (option.provider, option.model.lower()) in by_api:
            matched = by_api[(option.provider, option.model.lower())]
        else:
            continue
        rec = results.options.filter(results.options["row"] == row.row).row(0, named=True)
        rows.append({"scenario": row.scenario_id, "option": row.option_id, "kind": option.kind, "matches": matched,
                     "total_cost_usd": rec.get("total_cost_usd"), "rank": rec.get("rank"),
                     "excluded_reason": rec.get("excluded_reason"), "rank_tied": bool(by_row[row.row].get("rank_tied")),
                     "rank_shared": shared_rank(ranked, by_row[row.row])})
    return rows


def _print_table(result: dict, args) -> None:
    from tco.report.table import print_rows

    name, category = result["name"], result["category"]
    print(f"# Open-weight models within {result['margin_points']:g} points of {name} ({result['model']}) for {category},"
          " compared on the benchmarks both have" + (" (rows from different sources allowed)" if args.cross_source else ", same source only"))
    rows = []
    for c in result["open_weight_models"]:
        bench = "; ".join(
            f"{p['benchmark']} {p['candidate']['score']:g} vs {p['reference']['score']:g}"
            f" [{'same source' if p['same_source'] else 'DIFFERENT sources'}: {_caveat(p['candidate'])}"
            + ("" if p["same_source"] else f" | ref: {_caveat(p['reference'])}") + "]"
            for p in c["evidence"] if p.get("candidate") and p.get("reference"))
        if not bench and c["evidence"]:
            bench = "; ".join(f"{(p['candidate'] or p['reference'])['benchmark']} {(p['candidate'] or p['reference'])['score']:g}"
                              f" [{_caveat(p['candidate'] or p['reference'])}]" for p in c["evidence"])
        rows.append({"model": c["model"], "verdict": c["verdict"], "self_host_as": c["self_host_as"] or "-",
                     "score": _points(c["score"]), "ref_score": _points(c["reference_score"]), "gap_points": _points(c["gap_points"]),
                     "evidence (benchmark model vs reference [setting; reported_by; source; date])": bench or "no comparable score"})
    if rows:
        print_rows(rows, "table")
    else:
        print("(none)")
    counts = result["counts"]
    print(f"# {counts['qualifies']} qualify, {counts['below']} below the bar, {counts['unknown']} without a comparable score"
          + ("" if args.all else " (--all lists them)"))
    if result["model_lmarena_elo"] or any(c["lmarena_elo"] for c in result["open_weight_models"]):
        print("\n# LMArena text Elo (one snapshot; shown, never averaged with percent scores)")
        elo = [{"model": result["model"], "elo": e["score"], "caveat": _caveat(e) + f"; {e['note'] or ''}"[:120]} for e in result["model_lmarena_elo"]]
        elo += [{"model": c["model"], "elo": e["score"], "caveat": _caveat(e) + f"; {e['note'] or ''}"[:120]}
                for c in result["open_weight_models"] for e in c["lmarena_elo"]]
        print_rows(elo, "table")
    print(f"\n# API prices (USD per million tokens, in force today) of {result['model']} and of the models above")
    prices = [{"model": result["model"], **_price_cells(p)} for p in result["model_api_prices"]]
    prices += [{"model": c["model"], **_price_cells(p)} for c in result["open_weight_models"] for p in c["api_prices"]]
    print_rows(prices, "table") if prices else print("(no API listing)")
    if result["scenario_options"] is not None:
        print(f"\n# Scenario {args.scenario}: options running {result['model']} or a model above")
        if result["scenario_options"]:
            from tco.report.run_table import CELL_TEXTS

            money = CELL_TEXTS["total_cost_usd"]
            print_rows([{**{k: v for k, v in o.items() if k not in ("rank_tied", "rank_shared")}, "total_cost_usd": money([o], o),
                         "rank": _rank_text(o)} for o in result["scenario_options"]], "table")
        else:
            print("(no option of the scenario runs these models; add a self-hosted option with `model:` set to a"
                  " `self_host_as` id above to cost it)")


def _rank_text(option: dict) -> str:
    """As `tco run`'s table says it: `=1` for a tie (the rank the tied options share), `excl.` for an excluded option."""
    if option["rank"] is None:
        return "excl."
    return f"={option['rank_shared']}" if option["rank_tied"] else str(option["rank"])


def _points(value) -> str:
    """A score or gap in percent points, to the two decimals it is rounded to (55.40 beside 48.75, not 55.4)."""
    return "" if value is None else f"{value:.2f}"


def _caveat(e: dict) -> str:
    return f"{e['setting'] or 'setting not stated'}; {e['reported_by']}; {_short(e['source'])}; {e['as_of']}"


def _price_cells(p: dict) -> dict:
    return {"provider": p["provider"], "api_model": p["api_model"], "input": p["input_usd_per_million_tokens"],
            "output": p["output_usd_per_million_tokens"], "as_of": p["price_as_of"], "note": p["price_note"]}
