"""Like-for-like capability: category scores with provenance, requirements, and the cost frontier.

How a category score is formed (pure; no I/O):
- A category is a fixed list of percent benchmarks (CATEGORIES). Elo ratings (LMArena) are never
  averaged with percentages; `chat` reports them separately (`elo_evidence`).
- For one model and one benchmark, ONE row is used: the user's own score if there is one, else an
  independent row before a vendor row, then the newest source, then file order.
- A model's category score is the plain mean of those rows over the category's benchmarks it has.
  A benchmark it lacks is left out (unknown), never counted as zero; no benchmark at all -> None.
- "Comparable to X" compares two models on the benchmarks BOTH have, using only pairs of rows from
  the same source (one leaderboard or one release table: same scaffold, judge, window), neutral
  leaderboards first. Vendor figures from different sources differ by 10-30 points on the same
  benchmark, so they are not compared unless `cross_source=True` (then each model's preferred row
  is used and the pair is flagged `same_source=False`; LiveCodeBench never, its windows differ).
- A user category score (CSV with a `category`) replaces the whole public category score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable, Sequence

from tco.model.quality import CapabilityRequirement, ScoreRow, UserScore

CATEGORIES: dict[str, tuple[str, ...]] = {
    "coding": ("LiveCodeBench", "SWE-bench Verified"),
    "math": ("AIME 2024", "AIME 2025", "GPQA Diamond"),
    "knowledge": ("MMLU-Pro", "MMLU", "GPQA Diamond"),
    "instruction-following": ("IFEval",),
    "agentic": ("BFCL v3", "tau-bench retail", "tau-bench airline",
                "tau2-bench retail", "tau2-bench airline", "tau2-bench telecom"),
    "chat": ("Arena-Hard v2.0-preview",),
}
"""Task category -> the percent benchmarks averaged for it."""

ELO_BENCHMARKS: dict[str, tuple[str, ...]] = {"chat": ("LMArena text",)}
"""Elo ratings shown next to a category, never mixed into its percent score."""

SAME_SOURCE_ONLY = frozenset({"LiveCodeBench"})
"""Benchmarks whose rows from different sources measure different things (date windows)."""

DEFAULT_MARGIN_POINTS = 3.0


@dataclass(frozen=True)
class Evidence:
    """One score used, with everything needed to judge it."""

    model: str
    benchmark: str
    score: float
    unit: str
    setting: str | None
    reported_by: str
    """vendor, independent, or user (your own evaluation)."""
    source: str
    as_of: str
    note: str | None = None

    def caveat(self) -> str:
        """`setting; reported_by; source; date` in one short string for tables."""
        parts = [self.setting or "setting not stated", self.reported_by, self.source, self.as_of]
        return "; ".join(parts)


@dataclass(frozen=True)
class CategoryScore:
    model: str
    category: str
    score: float | None
    """Mean percent score over the benchmarks present; None = unknown."""
    evidence: tuple[Evidence, ...] = ()
    basis: str = "public"
    """public (benchmark rows) or user (your own category score)."""


@dataclass(frozen=True)
class BenchmarkPair:
    benchmark: str
    candidate: Evidence
    reference: Evidence
    same_source: bool

    @property
    def gap_points(self) -> float:
        return self.candidate.score - self.reference.score


@dataclass(frozen=True)
class Comparison:
    """A candidate against a reference model on what both have (a like-for-like comparison)."""

    candidate: str
    reference: str
    category: str
    candidate_score: float | None
    reference_score: float | None
    pairs: tuple[BenchmarkPair, ...] = ()
    basis: str = "public"
    candidate_evidence: tuple[Evidence, ...] = ()
    reference_evidence: tuple[Evidence, ...] = ()

    @property
    def gap_points(self) -> float | None:
        if self.candidate_score is None or self.reference_score is None:
            return None
        return self.candidate_score - self.reference_score

    @property
    def all_same_source(self) -> bool:
        return bool(self.pairs) and all(p.same_source for p in self.pairs)


class Verdict(str, Enum):
    QUALIFIES = "qualifies"
    BELOW = "below"
    UNKNOWN = "unknown"
    """No comparable score: flagged for the user, never silently dropped or counted as failing."""


@dataclass(frozen=True)
class RequirementCheck:
    model: str
    verdict: Verdict
    capability: float | None
    """The model's category score (percent points)."""
    bar: float | None
    """The score it had to reach (min_score, or the reference's score minus the margin)."""
    comparison: Comparison | None = None
    category_score: CategoryScore | None = None


class ScoreBook:
    """Public rows plus the user's own scores, indexed by model (user scores win)."""

    def __init__(self, rows: Iterable[ScoreRow], user_scores: Iterable[UserScore] = ()):
        self._rows: dict[str, list[tuple[int, Evidence]]] = {}
        for i, row in enumerate(rows):
            self._rows.setdefault(row.model, []).append((i, _evidence(row)))
        self._user_category: dict[tuple[str, str], Evidence] = {}
        self._user_benchmark: dict[tuple[str, str], Evidence] = {}
        for u in user_scores:
            ev = Evidence(u.model, u.category or u.metric, u.score, "percent", "your own evaluation", "user",
                          f"{u.file}:{u.line}" if u.file else "user scores", u.date, u.note)
            if u.category:
                self._user_category[(u.model, u.category)] = ev
            else:
                self._user_benchmark[(u.model, u.metric)] = ev

    def models(self) -> set[str]:
        return set(self._rows) | {m for m, _ in self._user_category} | {m for m, _ in self._user_benchmark}

    def rows_for(self, model: str, benchmark: str) -> list[Evidence]:
        """Every usable row, best first (user, independent, newest, file order)."""
        user = self._user_benchmark.get((model, benchmark))
        if user is not None:
            return [user]
        found = [(i, ev) for i, ev in self._rows.get(model, []) if ev.benchmark == benchmark]
        found.sort(key=lambda item: (item[1].reported_by != "independent", _neg_date(item[1].as_of), item[0]))
        return [ev for _, ev in found]

    def user_category(self, model: str, category: str) -> Evidence | None:
        return self._user_category.get((model, category))


def _evidence(row: ScoreRow) -> Evidence:
    return Evidence(row.model, row.benchmark, row.score, row.unit, row.setting, row.reported_by,
                    row.source, row.as_of, row.note)


def _neg_date(as_of: str) -> tuple[int, ...]:
    """Sort key putting newer dates first (partial dates compare on what they have)."""
    return tuple(-int(part) for part in as_of.split("-"))


def _check_category(category: str) -> tuple[str, ...]:
    try:
        return CATEGORIES[category]
    except KeyError:
        raise ValueError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}") from None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def category_score(book: ScoreBook, model: str, category: str) -> CategoryScore:
    """The model's score for a category, with the rows it came from."""
    benchmarks = _check_category(category)
    user = book.user_category(model, category)
    if user is not None:
        return CategoryScore(model, category, user.score, (user,), basis="user")
    evidence = []
    for benchmark in benchmarks:
        rows = [r for r in book.rows_for(model, benchmark) if r.unit == "percent"]
        if rows:
            evidence.append(rows[0])
    basis = "user" if any(e.reported_by == "user" for e in evidence) else "public"
    return CategoryScore(model, category, _mean([e.score for e in evidence]), tuple(evidence), basis)


def elo_evidence(book: ScoreBook, model: str, category: str) -> tuple[Evidence, ...]:
    """Elo rows shown beside a category (all variants of the model; one snapshot)."""
    return tuple(r for b in ELO_BENCHMARKS.get(category, ()) for r in book.rows_for(model, b) if r.unit == "elo")


def source_key(source: str) -> str:
    """The table or leaderboard a row comes from, without the per-entry detail in parentheses.

    Why: SWE-bench rows name their run (`... leaderboards.json (leaderboard 'bash-only', entry ...)`),
    yet all rows of that file share one scaffold and are comparable.
    """
    return source.split(" (", 1)[0].strip()


def _pairing_source(evidence: Evidence) -> str:
    """The table a row belongs to for pairing: a user's rows are `file:line`, and all rows of one file are one table
    (the user ran one harness; without this two models' rows of one file were never paired, and were dropped)."""
    if evidence.reported_by == "user":
        return evidence.source.rsplit(":", 1)[0]
    return source_key(evidence.source)


def _best_pair(benchmark: str, cand: list[Evidence], ref: list[Evidence], cross_source: bool) -> BenchmarkPair | None:
    if not cand or not ref:
        return None
    same = [(c, r) for c in cand for r in ref if _pairing_source(c) == _pairing_source(r)]
    if same:
        # neutral (both independent) before competitor-lab tables, then the newest source
        c, r = min(same, key=lambda cr: ((cr[0].reported_by == "vendor") + (cr[1].reported_by == "vendor"),
                                         _neg_date(max(cr[0].as_of, cr[1].as_of))))
        return BenchmarkPair(benchmark, c, r, same_source=True)
    if not cross_source or benchmark in SAME_SOURCE_ONLY:
        return None
    return BenchmarkPair(benchmark, cand[0], ref[0], same_source=False)


def compare(book: ScoreBook, candidate: str, reference: str, category: str, cross_source: bool = False) -> Comparison:
    """Candidate vs reference on the benchmarks both have (or on the user's own category scores)."""
    benchmarks = _check_category(category)
    user_c, user_r = book.user_category(candidate, category), book.user_category(reference, category)
    if user_c is not None or user_r is not None:
        c, r = category_score(book, candidate, category), category_score(book, reference, category)
        return Comparison(candidate, reference, category, c.score, r.score, (), "user", c.evidence, r.evidence)
    pairs = []
    for benchmark in benchmarks:
        cand = [e for e in book.rows_for(candidate, benchmark) if e.unit == "percent"]
        ref = [e for e in book.rows_for(reference, benchmark) if e.unit == "percent"]
        pair = _best_pair(benchmark, cand, ref, cross_source)
        if pair is not None:
            pairs.append(pair)
    basis = "user" if any("user" in (p.candidate.reported_by, p.reference.reported_by) for p in pairs) else "public"
    return Comparison(
        candidate, reference, category,
        _mean([p.candidate.score for p in pairs]), _mean([p.reference.score for p in pairs]),
        tuple(pairs), basis,
        tuple(p.candidate for p in pairs), tuple(p.reference for p in pairs),
    )


def meets_requirement(book: ScoreBook, model: str, requirement: CapabilityRequirement,
                      cross_source: bool = False) -> RequirementCheck:
    """qualifies / below / unknown for one model; unknown means no comparable score was found."""
    own = category_score(book, model, requirement.category)
    if requirement.comparable_to is None:
        bar = requirement.min_score
        if own.score is None:
            return RequirementCheck(model, Verdict.UNKNOWN, None, bar, None, own)
        verdict = Verdict.QUALIFIES if own.score >= bar else Verdict.BELOW
        return RequirementCheck(model, verdict, own.score, bar, None, own)
    if model == requirement.comparable_to:
        return RequirementCheck(model, Verdict.QUALIFIES, own.score, own.score, None, own)
    comparison = compare(book, model, requirement.comparable_to, requirement.category, cross_source)
    if comparison.gap_points is None:
        return RequirementCheck(model, Verdict.UNKNOWN, own.score, None, comparison, own)
    bar = comparison.reference_score - requirement.margin_points
    # Why compare the gap, not the two means: the same benchmarks enter both sides.
    ok = comparison.gap_points >= -requirement.margin_points - 1e-9
    return RequirementCheck(model, Verdict.QUALIFIES if ok else Verdict.BELOW, own.score, bar, comparison, own)


@dataclass(frozen=True)
class CapabilityPoint:
    option_id: str
    capability: float | None
    cost_usd: float


def cost_per_capability_point(cost_usd: float, capability: float | None) -> float | None:
    """Cost divided by capability points; None when the capability is unknown or not positive."""
    if capability is None or capability <= 0:
        return None
    return cost_usd / capability


def frontier(points: Sequence[CapabilityPoint]) -> set[str]:
    """Options no other option beats on both capability (higher) and cost (lower).

    Ties: identical points are all on the frontier; an option with equal capability and a lower
    cost (or equal cost and higher capability) beats it. Unknown capability is never on it.
    """
    known = [p for p in points if p.capability is not None]
    out = set()
    for p in known:
        beaten = any(
            q.capability >= p.capability and q.cost_usd <= p.cost_usd
            and (q.capability > p.capability or q.cost_usd < p.cost_usd)
            for q in known if q is not p
        )
        if not beaten:
            out.add(p.option_id)
    return out


@dataclass(frozen=True)
class OptionInput:
    """What the TCO engine knows about an option: its id, the model it runs, its cost per request."""

    option_id: str
    model_id: str
    cost_per_request_usd: float


@dataclass(frozen=True)
class OptionCapability:
    option_id: str
    model_id: str
    capability: float | None
    verdict: Verdict
    cost_per_request_usd: float
    cost_per_capability_point_usd: float | None
    on_frontier: bool
    check: RequirementCheck = field(repr=False, compare=False, default=None)


def assess_options(book: ScoreBook, requirement: CapabilityRequirement, options: Sequence[OptionInput],
                   cross_source: bool = False) -> list[OptionCapability]:
    """Per option: capability (the model's category score), qualifies flag, cost per point, frontier.

    The frontier uses each model's own category score so all options sit on one scale; the
    `comparable_to` verdict uses the like-for-like comparison (see the module docstring).
    """
    checks = [meets_requirement(book, o.model_id, requirement, cross_source) for o in options]
    points = [CapabilityPoint(o.option_id, c.capability, o.cost_per_request_usd) for o, c in zip(options, checks)]
    on = frontier(points)
    return [
        OptionCapability(o.option_id, o.model_id, c.capability, c.verdict, o.cost_per_request_usd,
                         cost_per_capability_point(o.cost_per_request_usd, c.capability), o.option_id in on, c)
        for o, c in zip(options, checks)
    ]
