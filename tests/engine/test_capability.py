"""Category scores, like-for-like comparison, requirements and the cost frontier on hand-made rows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tco.engine.capability import (
    CapabilityPoint, OptionInput, ScoreBook, Verdict, assess_options, category_score, compare,
    cost_per_capability_point, elo_evidence, frontier, meets_requirement, source_key,
)
from tco.model.quality import CapabilityRequirement, ScoreRow, UserScore

LEADERBOARD = "github.com/example/leaderboard @ abc : data.json"


def row(model, benchmark, score, *, source=LEADERBOARD, by="independent", as_of="2025-08-01", unit="percent", setting="s"):
    return ScoreRow(model=model, benchmark=benchmark, score=score, unit=unit, setting=setting,
                    reported_by=by, source=source, as_of=as_of)


def test_category_score_is_the_mean_of_one_row_per_benchmark_preferring_independent_then_newest():
    book = ScoreBook([
        row("m", "LiveCodeBench", 40.0, by="vendor", source="vendor blog", as_of="2025-09-01"),
        row("m", "LiveCodeBench", 30.0, by="independent", as_of="2025-01-01"),
        row("m", "SWE-bench Verified", 50.0, by="vendor", source="old card", as_of="2025-01-01"),
        row("m", "SWE-bench Verified", 56.0, by="vendor", source="new card", as_of="2025-06-01"),
        row("m", "MMLU", 90.0),  # not a coding benchmark
    ])
    score = category_score(book, "m", "coding")
    assert score.score == pytest.approx((30.0 + 56.0) / 2)
    assert [(e.benchmark, e.score, e.reported_by, e.source) for e in score.evidence] == [
        ("LiveCodeBench", 30.0, "independent", LEADERBOARD),
        ("SWE-bench Verified", 56.0, "vendor", "new card"),
    ]


def test_missing_category_is_unknown_not_zero_and_elo_is_never_averaged():
    book = ScoreBook([row("m", "LMArena text", 1400.0, unit="elo"), row("m", "IFEval", 80.0)])
    chat = category_score(book, "m", "chat")
    assert chat.score is None and chat.evidence == ()
    assert [e.score for e in elo_evidence(book, "m", "chat")] == [1400.0]
    assert category_score(book, "m", "math").score is None
    assert category_score(book, "m", "instruction-following").score == 80.0


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown category"):
        category_score(ScoreBook([]), "m", "poetry")


def test_user_benchmark_score_replaces_public_rows_and_category_score_replaces_everything():
    public = [row("m", "IFEval", 80.0), row("m", "LiveCodeBench", 40.0), row("m", "SWE-bench Verified", 60.0)]
    user = [UserScore("m", "IFEval", 55.0, "2026-11-01", file="mine.csv", line=2),
            UserScore("m", "ticket eval", 70.0, "2026-11-01", category="coding", file="mine.csv", line=3)]
    book = ScoreBook(public, user)
    ifeval = category_score(book, "m", "instruction-following")
    assert ifeval.score == 55.0 and ifeval.basis == "user"
    assert ifeval.evidence[0].reported_by == "user" and ifeval.evidence[0].source == "mine.csv:2"
    coding = category_score(book, "m", "coding")
    assert coding.score == 70.0 and coding.basis == "user" and coding.evidence[0].source == "mine.csv:3"


def test_source_key_drops_the_per_entry_detail():
    assert source_key("github.com/x/y @ abc : leaderboards.json (leaderboard 'bash-only', entry 1)") == "github.com/x/y @ abc : leaderboards.json"


def _comparable_case():
    """Reference R and five candidates on SWE-bench Verified (one leaderboard) and a vendor card."""
    rows = [
        row("R", "SWE-bench Verified", 50.0, source=LEADERBOARD + " (entry r)"),
        row("R", "SWE-bench Verified", 70.0, by="vendor", source="R vendor card"),
        row("exactly-3-below", "SWE-bench Verified", 47.0, source=LEADERBOARD + " (entry a)"),
        row("just-below", "SWE-bench Verified", 46.9, source=LEADERBOARD + " (entry b)"),
        row("better", "SWE-bench Verified", 60.0, source=LEADERBOARD + " (entry c)"),
        row("other-source-only", "SWE-bench Verified", 75.0, by="vendor", source="its own card"),
        row("no-scores", "IFEval", 90.0),
    ]
    return ScoreBook(rows)


def test_comparable_within_3_points_keeps_exactly_the_options_that_qualify():
    book = _comparable_case()
    need = CapabilityRequirement(category="coding", comparable_to="R", margin_points=3)
    verdicts = {m: meets_requirement(book, m, need).verdict for m in
                ("exactly-3-below", "just-below", "better", "other-source-only", "no-scores", "R")}
    assert verdicts == {
        "exactly-3-below": Verdict.QUALIFIES,   # 47 >= 50 - 3
        "just-below": Verdict.BELOW,            # 46.9 < 47
        "better": Verdict.QUALIFIES,
        "other-source-only": Verdict.UNKNOWN,   # only a vendor card: not comparable with the leaderboard
        "no-scores": Verdict.UNKNOWN,
        "R": Verdict.QUALIFIES,
    }
    check = meets_requirement(book, "just-below", need)
    assert check.bar == pytest.approx(47.0)
    pair = check.comparison.pairs[0]
    assert (pair.candidate.score, pair.reference.score, pair.same_source) == (46.9, 50.0, True)


def test_cross_source_comparison_is_opt_in_and_flagged():
    book = _comparable_case()
    comp = compare(book, "other-source-only", "R", "coding", cross_source=True)
    # R's preferred row is the independent leaderboard (50), not its vendor card (70)
    assert comp.candidate_score == 75.0 and comp.reference_score == 50.0
    assert comp.pairs[0].same_source is False and not comp.all_same_source


def test_comparison_uses_only_benchmarks_both_models_have():
    book = ScoreBook([
        row("R", "AIME 2025", 40.0), row("R", "GPQA Diamond", 60.0),
        row("C", "AIME 2025", 38.0), row("C", "AIME 2024", 99.0),
    ])
    comp = compare(book, "C", "R", "math")
    assert [p.benchmark for p in comp.pairs] == ["AIME 2025"]
    assert comp.gap_points == pytest.approx(-2.0)


def test_min_score_requirement():
    book = ScoreBook([row("a", "IFEval", 80.0), row("b", "IFEval", 79.9)])
    need = CapabilityRequirement(category="instruction-following", min_score=80)
    assert [meets_requirement(book, m, need).verdict for m in ("a", "b", "c")] == [Verdict.QUALIFIES, Verdict.BELOW, Verdict.UNKNOWN]


def test_requirement_needs_exactly_one_bar():
    with pytest.raises(ValidationError, match="exactly one of min_score or comparable_to"):
        CapabilityRequirement(category="coding")
    with pytest.raises(ValidationError, match="exactly one"):
        CapabilityRequirement(category="coding", min_score=50, comparable_to="gpt-4.1")


def test_frontier_on_a_hand_made_case():
    points = [
        CapabilityPoint("A", 80.0, 10.0),
        CapabilityPoint("D", 80.0, 10.0),   # identical to A: both stay
        CapabilityPoint("B", 70.0, 5.0),
        CapabilityPoint("C", 70.0, 6.0),    # same capability as B, dearer: beaten
        CapabilityPoint("F", 60.0, 5.0),    # same cost as B, less capable: beaten
        CapabilityPoint("G", 85.0, 30.0),   # most capable: stays
        CapabilityPoint("E", None, 1.0),    # unknown capability: never on it
    ]
    assert frontier(points) == {"A", "D", "B", "G"}


def test_cost_per_capability_point():
    assert cost_per_capability_point(0.02, 80.0) == pytest.approx(0.00025)
    assert cost_per_capability_point(0.02, None) is None
    assert cost_per_capability_point(0.02, 0.0) is None


def test_assess_options_gives_capability_verdict_cost_per_point_and_frontier():
    book = ScoreBook([row("big", "IFEval", 90.0), row("small", "IFEval", 70.0), row("mid", "IFEval", 80.0)])
    need = CapabilityRequirement(category="instruction-following", min_score=75)
    out = assess_options(book, need, [
        OptionInput("api-big", "big", 0.010), OptionInput("self-small", "small", 0.001),
        OptionInput("api-mid", "mid", 0.012), OptionInput("unknown", "nobody", 0.0001),
    ])
    got = {o.option_id: (o.capability, o.verdict, o.on_frontier) for o in out}
    assert got == {
        "api-big": (90.0, Verdict.QUALIFIES, True),
        "self-small": (70.0, Verdict.BELOW, True),
        "api-mid": (80.0, Verdict.QUALIFIES, False),   # big is better and cheaper
        "unknown": (None, Verdict.UNKNOWN, False),
    }
    assert out[0].cost_per_capability_point_usd == pytest.approx(0.010 / 90.0)


def test_two_models_scored_on_one_benchmark_in_one_user_file_are_compared():
    """Bug hunt: each user row's source was `file:line`, so two rows of one file never counted as one table and the
    pair was dropped (`tco match --scores own.csv` left qwen3-32b at 49 against 50 `unknown`). Rows of two files are
    two tables, as two leaderboards are."""
    user = [UserScore("ref", "LiveCodeBench", 50.0, "2026-01-01", file="own.csv", line=2),
            UserScore("cand", "LiveCodeBench", 49.0, "2026-01-01", file="own.csv", line=3)]
    [pair] = compare(ScoreBook([], user), "cand", "ref", "coding").pairs
    assert (pair.candidate.score, pair.reference.score, pair.same_source) == (49.0, 50.0, True)
    other_file = [user[0], UserScore("cand", "LiveCodeBench", 49.0, "2026-01-01", file="theirs.csv", line=2)]
    assert compare(ScoreBook([], other_file), "cand", "ref", "coding", cross_source=True).pairs == ()
