"""Sums over the months of the horizon in closed form, derived from the monthly formulas.

Why: a sweep of a million rows over 36 months is 36 million row-months; adding them one by one
is the slow part of every large evaluation. Most monthly figures depend on the month only
through geometric factors (volume growth, price decline, discounting), through the first month
(setup) and through the end of the horizon. Such a term is a short sum of `c x r^(month - 1)`
with `c` and `r` fixed per row, and its sum over months 1..H is `c x (r^H - 1) / (r - 1)`.
`separate` finds that form by walking the same `Term` the monthly evaluation renders, so no
formula is written twice. A named intermediate it cannot write so (a fleet rounded up to whole
replicas while the volume grows) becomes a kernel: the caller evaluates it month by month and
adds `ratio^(month - 1) x kernels` up, while everything around it stays in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

from tco.engine.expr import Cmp, Const, Func, Input, Named, Op, Term, Where, depends_on, simplify, total

MONTH = "month"
HORIZON = "horizon_months"

@dataclass(frozen=True)
class Part:
    """coefficient x ratio^(month - 1) x the product of the kernels in that month."""

    coefficient: Term
    ratio: Term
    kernels: tuple[Named, ...] = ()


class NotSeparable(Exception):
    """The term's dependence on the month is not a sum of geometric series."""


def _monthly(term: Term, memo: dict[int, bool]) -> bool:
    key = id(term)
    if key not in memo:
        memo[key] = depends_on(term, MONTH)
    return memo[key]


def _affine(term: Term, memo: dict) -> tuple[Term, Term]:
    """(slope, intercept) of an exponent that is linear in the month."""
    if not _monthly(term, memo["monthly"]):
        return Const(0.0), term
    match term:
        case Input(name=MONTH):
            return Const(1.0), Const(0.0)
        case Named():
            return _affine(term.term, memo)
        case Op(op="+" | "-"):
            (sa, ia), (sb, ib) = _affine(term.left, memo), _affine(term.right, memo)
            return Op(term.op, sa, sb), Op(term.op, ia, ib)
        case Op(op="*") if not _monthly(term.left, memo["monthly"]):
            s, i = _affine(term.right, memo)
            return Op("*", term.left, s), Op("*", term.left, i)
        case Op(op="*") if not _monthly(term.right, memo["monthly"]):
            s, i = _affine(term.left, memo)
            return Op("*", s, term.right), Op("*", i, term.right)
        case Op(op="/") if not _monthly(term.right, memo["monthly"]):
            s, i = _affine(term.left, memo)
            return Op("/", s, term.right), Op("/", i, term.right)
    raise NotSeparable(f"exponent not linear in the month: {term!r}")


def _is_horizon_test(cond: Term) -> bool:
    """`month <= horizon_months`: always true inside the sum, which stops at the horizon."""
    return (isinstance(cond, Cmp) and cond.op == "<=" and isinstance(cond.left, Input) and cond.left.name == MONTH
            and isinstance(cond.right, Input) and cond.right.name == HORIZON)


def _is_first_month_test(cond: Term) -> bool:
    return (isinstance(cond, Cmp) and cond.op == "=" and isinstance(cond.left, Input) and cond.left.name == MONTH
            and isinstance(cond.right, Const) and cond.right.value == 1.0)


def _geometric(parts: list[Part], what: str) -> list[Part]:
    if any(p.kernels for p in parts):
        raise NotSeparable(what)
    return parts


def separate(term: Term, _memo: dict | None = None) -> list[Part]:
    """The term as a sum of geometric series in the month, valid for months 1..horizon.

    A named intermediate whose month dependence is not geometric (a fleet rounded up to whole
    replicas while the volume grows) becomes a kernel: evaluated month by month, the rest not.
    """
    memo = _memo if _memo is not None else {"monthly": {}, "named": {}}
    if not _monthly(term, memo["monthly"]):
        return [Part(term, Const(1.0))]
    match term:
        case Named():
            if id(term) not in memo["named"]:
                try:
                    memo["named"][id(term)] = separate(term.term, memo)
                except NotSeparable:
                    memo["named"][id(term)] = [Part(Const(1.0), Const(1.0), (term,))]
            return memo["named"][id(term)]
        case Op(op="+"):
            return separate(term.left, memo) + separate(term.right, memo)
        case Op(op="-"):
            return separate(term.left, memo) + [Part(Op("-", Const(0.0), p.coefficient), p.ratio, p.kernels)
                                                for p in separate(term.right, memo)]
        case Op(op="*"):
            left, right = separate(term.left, memo), separate(term.right, memo)
            return [Part(Op("*", a.coefficient, b.coefficient), Op("*", a.ratio, b.ratio), a.kernels + b.kernels)
                    for a in left for b in right]
        case Op(op="/"):
            below = _geometric(separate(term.right, memo), "division by a kernel")
            if len(below) != 1:
                raise NotSeparable("division by a sum that changes with the month")
            b = below[0]
            return [Part(Op("/", a.coefficient, b.coefficient), Op("/", a.ratio, b.ratio), a.kernels)
                    for a in separate(term.left, memo)]
        case Op(op="^"):
            if _monthly(term.left, memo["monthly"]):
                base = _geometric(separate(term.left, memo), "power of a kernel")
                if len(base) != 1 or _monthly(term.right, memo["monthly"]):
                    raise NotSeparable("power of a sum that changes with the month")
                return [Part(Op("^", base[0].coefficient, term.right), Op("^", base[0].ratio, term.right))]
            slope, intercept = _affine(term.right, memo)
            # base^(slope x month + intercept) = base^(slope + intercept) x (base^slope)^(month - 1)
            return [Part(Op("^", term.left, Op("+", slope, intercept)), Op("^", term.left, slope))]
        case Func(name="sum"):
            return [part for a in term.args for part in separate(a, memo)]
        case Where():
            if _is_horizon_test(term.cond):
                return separate(term.then, memo)
            if _is_first_month_test(term.cond):
                # then in month 1, otherwise after: otherwise + (then - otherwise) x 0^(month - 1)
                then = _geometric(separate(term.then, memo), "first month of a kernel")
                otherwise = _geometric(separate(term.otherwise, memo), "first month of a kernel")
                jump = Op("-", total([p.coefficient for p in then]), total([p.coefficient for p in otherwise]))
                return otherwise + [Part(jump, Const(0.0))]
            if not _monthly(term.cond, memo["monthly"]):
                then, otherwise = separate(term.then, memo), separate(term.otherwise, memo)
                return ([Part(Where(term.cond, p.coefficient, Const(0.0)), p.ratio, p.kernels) for p in then]
                        + [Part(Where(term.cond, Const(0.0), p.coefficient), p.ratio, p.kernels) for p in otherwise])
    raise NotSeparable(f"the month enters through {type(term).__name__} {getattr(term, 'name', getattr(term, 'op', ''))}")


SMALL_RATIO_STEP = 1e-6
"""Below this distance of the ratio from 1, the geometric sum is taken from its series, where
(r^H - 1) / (r - 1) would lose digits to cancellation."""


def geometric_sum(ratio: Term, months: Term) -> Term:
    """1 + r + r^2 + ... + r^(H-1), accurate for r near 1 (and 1 for r = 0, the first month only)."""
    step = Op("-", ratio, Const(1.0))
    closed = Op("/", Op("-", Op("^", ratio, months), Const(1.0)), step)
    pairs = Op("/", Op("*", months, Op("-", months, Const(1.0))), Const(2.0))
    triples = Op("/", Op("*", pairs, Op("-", months, Const(2.0))), Const(3.0))
    series = Op("+", months, Op("*", step, Op("+", pairs, Op("*", step, triples))))
    near_one = Cmp("<", Func("abs", (step,)), Const(SMALL_RATIO_STEP))
    return Where(near_one, series, closed)


def within_horizon(term: Term, _memo: dict | None = None) -> Term:
    """The term with `month <= horizon_months` taken as true: sums stop at the horizon anyway.

    Each node is rewritten once (memo by identity, as `expr.substitute`): the formulas are DAGs whose unnamed
    sub-trees are shared too (`at_month` inlines one into many parents), and rewriting every path copied them into a
    tree of over a million nodes (`tco sweep` spent 11 s on it)."""
    memo = {} if _memo is None else _memo
    key = ("within_horizon", id(term))
    if key not in memo:  # the term is kept beside its result, so its id cannot be reused while the memo lives
        memo[key] = (term, _within_horizon(term, memo))
    return memo[key][1]


def _within_horizon(term: Term, memo: dict) -> Term:
    match term:
        case Cmp() if _is_horizon_test(term):
            return Const(1.0)
        case Op() | Cmp():
            return type(term)(term.op, within_horizon(term.left, memo), within_horizon(term.right, memo))
        case Where():
            return Where(within_horizon(term.cond, memo), within_horizon(term.then, memo), within_horizon(term.otherwise, memo))
        case Func():
            return Func(term.name, tuple(within_horizon(a, memo) for a in term.args))
        case Named():
            return Named(term.name, term.label, within_horizon(term.term, memo), term.unit)
    return term


def term_key(term: Term):
    """A structural key: equal keys, same value (named intermediates by name)."""
    match term:
        case Named():
            return ("named", term.name)
        case Input():
            return ("input", term.name)
        case Const():
            return ("const", term.value)
        case Op() | Cmp():
            return (type(term).__name__, term.op, term_key(term.left), term_key(term.right))
        case Where():
            return ("where", term_key(term.cond), term_key(term.then), term_key(term.otherwise))
        case Func():
            return ("func", term.name, *[term_key(a) for a in term.args])
    raise TypeError(term)


@dataclass
class HorizonSums:
    """How to sum terms over months 1..H: closed forms plus month-by-month accumulators.

    `sums[name]` is built on Inputs named `_acc<k>`: accumulator k is the sum over the months of
    the horizon of ratio^(month - 1) x the product of its kernels, `accumulators[k]`.
    """

    sums: dict[str, Term]
    accumulators: list[tuple[Term, tuple[Named, ...]]]

    @property
    def kernels(self) -> list[Named]:
        seen: dict[str, Named] = {}
        for _, kernels in self.accumulators:
            for k in kernels:
                seen.setdefault(k.name, k)
        return list(seen.values())


def plan_sums(terms: dict[str, Term], months: Term) -> HorizonSums:
    """Each term's sum over the horizon, in closed form where the month enters geometrically."""
    memo: dict = {"monthly": {}, "named": {}}
    accumulators: dict = {}
    series: dict = {}
    sums = {}
    for name, term in terms.items():
        out = []
        for part in separate(term, memo):
            c, r = simplify(part.coefficient), simplify(part.ratio)
            if isinstance(c, Const) and c.value == 0:
                continue
            if part.kernels:
                kernels = tuple(sorted(part.kernels, key=lambda k: k.name))
                key = (term_key(r), tuple(k.name for k in kernels))
                if key not in accumulators:
                    accumulators[key] = (len(accumulators), r, kernels)
                out.append(Op("*", c, Input(f"_acc{accumulators[key][0]}", "sum over the months")))
            elif isinstance(r, Const) and r.value == 1.0:
                out.append(Op("*", c, months))
            elif isinstance(r, Const) and r.value == 0.0:
                out.append(c)
            else:
                key = term_key(r)
                if key not in series:  # one column per distinct ratio, shared by every sum
                    series[key] = Named(f"_geometric_sum{len(series)}", "1 + r + ... + r^(H-1)", geometric_sum(r, months))
                out.append(Op("*", c, series[key]))
        sums[name] = simplify(total(out))
    ordered = sorted(accumulators.values(), key=lambda a: a[0])
    return HorizonSums(sums, [(r, kernels) for _, r, kernels in ordered])


def constant_value(term: Term) -> Term | None:
    """The term's value when it is the same in every month of the horizon, else None."""
    try:
        parts = [Part(simplify(p.coefficient), simplify(p.ratio), p.kernels) for p in separate(term)]
    except NotSeparable:
        return None
    kept = [p for p in parts if not (isinstance(p.coefficient, Const) and p.coefficient.value == 0)]
    if any(p.kernels or not (isinstance(p.ratio, Const) and p.ratio.value == 1.0) for p in kept):
        return None
    return simplify(total([p.coefficient for p in kept]))
