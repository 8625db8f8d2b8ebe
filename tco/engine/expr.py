"""Cost formulas as small expression trees, rendered three ways.

Why: the polars evaluation, the Excel workbook and the "how was this computed" text must never
disagree, so each formula is declared once as a `Term` and rendered by `to_polars`, `to_excel`
and `explain`. Nothing here knows about any particular cost.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Union

import polars as pl

Number = Union[int, float]


ROUNDING_DIGITS = 9
"""Decimal places kept before rounding up to whole replicas: floating-point noise
(3.0000000000000004 replicas) must not buy a GPU."""


class Term:
    """Base of every node. Arithmetic operators build new nodes."""

    def __add__(self, other): return Op("+", self, lift(other))
    def __radd__(self, other): return Op("+", lift(other), self)
    def __sub__(self, other): return Op("-", self, lift(other))
    def __rsub__(self, other): return Op("-", lift(other), self)
    def __mul__(self, other): return Op("*", self, lift(other))
    def __rmul__(self, other): return Op("*", lift(other), self)
    def __truediv__(self, other): return Op("/", self, lift(other))
    def __rtruediv__(self, other): return Op("/", lift(other), self)
    def __pow__(self, other): return Op("^", self, lift(other))
    def __rpow__(self, other): return Op("^", lift(other), self)
    def __neg__(self): return Op("-", Const(0.0), self)

    # comparisons build conditions (not Python booleans)
    def gt(self, other): return Cmp(">", self, lift(other))
    def ge(self, other): return Cmp(">=", self, lift(other))
    def lt(self, other): return Cmp("<", self, lift(other))
    def le(self, other): return Cmp("<=", self, lift(other))
    def eq(self, other): return Cmp("=", self, lift(other))


@dataclass(frozen=True, eq=False)
class Input(Term):
    """A named input: a column in polars, a cell on the Inputs sheet, a labelled value in text."""

    name: str
    label: str
    unit: str = ""


@dataclass(frozen=True, eq=False)
class Const(Term):
    value: float
    label: str = ""


@dataclass(frozen=True, eq=False)
class Op(Term):
    op: str
    left: Term
    right: Term


@dataclass(frozen=True, eq=False)
class Cmp(Term):
    op: str
    left: Term
    right: Term


@dataclass(frozen=True, eq=False)
class Where(Term):
    """IF(cond, then, otherwise)."""

    cond: Term
    then: Term
    otherwise: Term


@dataclass(frozen=True, eq=False)
class Func(Term):
    """max, min, ceil (round up to a whole number), floor, abs, exp, ln."""

    name: str
    args: tuple[Term, ...]


@dataclass(frozen=True, eq=False)
class Named(Term):
    """A named intermediate result: rendered as its own column / cell / line of explanation."""

    name: str
    label: str
    term: Term
    unit: str = ""


def lift(value: Term | Number) -> Term:
    if isinstance(value, Term):
        return value
    if isinstance(value, bool):
        return Const(float(value))
    if isinstance(value, (int, float)):
        return Const(float(value))
    raise TypeError(f"cannot use {value!r} in a formula")


def where(cond: Term, then: Term | Number, otherwise: Term | Number) -> Term:
    return Where(cond, lift(then), lift(otherwise))


def maximum(*args: Term | Number) -> Term:
    return Func("max", tuple(lift(a) for a in args))


def minimum(*args: Term | Number) -> Term:
    return Func("min", tuple(lift(a) for a in args))


def ceil(arg: Term | Number) -> Term:
    return Func("ceil", (lift(arg),))


def floor(arg: Term | Number) -> Term:
    return Func("floor", (lift(arg),))


def running(arg: Named) -> Term:
    """Sum of a named monthly result over months 1..this month (a running total).

    Why: a fleet bought in instalments depreciates each purchase from its own month, so a month's
    depreciation needs what was bought before it. Polars takes a cumulative sum over the row's
    months, the workbook SUM(first row:this row) of the result's column, the text "running total of".
    Its argument is a named result so that the workbook has a column to sum.
    """
    if not isinstance(arg, Named):
        raise TypeError("running() sums a named monthly result")
    return Func("running", (arg,))


def running_totals(term: Term) -> list[Named]:
    """The named results whose running total the term's own formula reads (not the named parts inside it, which
    the staged evaluation has as steps of their own), each once."""
    out: dict[str, Named] = {}
    for t in walk(term, enter_named=False):
        if isinstance(t, Func) and t.name == "running":
            out.setdefault(t.args[0].name, t.args[0])
    return list(out.values())


def total(args: Iterable[Term | Number]) -> Term:
    """Sum of many terms: one SUM in Excel, one "sum of N terms" in words."""
    items = [lift(a) for a in args]
    if not items:
        return Const(0.0)
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return items[0] + items[1]
    return Func("sum", tuple(items))


def named(name: str, label: str, term: Term | Number, unit: str = "") -> Named:
    return Named(name, label, lift(term), unit)


# ---------------------------------------------------------------- traversal

def children(term: Term) -> tuple[Term, ...]:
    """The direct sub-terms of a node, left to right; a Named's body is its one child; leaves have none.

    Why one function: every walk over formulas (inputs, named parts, the explanation builder) reads
    the tree through it, so a new node type is taught to all of them here, once.
    """
    match term:
        case Op() | Cmp():
            return (term.left, term.right)
        case Where():
            return (term.cond, term.then, term.otherwise)
        case Func():
            return term.args
        case Named():
            return (term.term,)
    return ()


def walk(term: Term, *, enter_named: bool = True, post_order: bool = False) -> Iterator[Term]:
    """Every node of a term, depth first, left to right; each node once (Named ones are shared by many formulas).

    `enter_named=False` stops at named intermediates (yielding them, not their bodies, except at the
    root); `post_order=True` yields a node after its children (innermost first).
    """
    seen: set[int] = set()

    def visit(t: Term, root: bool) -> Iterator[Term]:
        # every node once: formulas are DAGs (`at_month` inlines one sub-tree into many places), and a
        # walk that revisited shared nodes grows with the number of paths, not of nodes
        if id(t) in seen:
            return
        seen.add(id(t))
        if not post_order:
            yield t
        if root or enter_named or not isinstance(t, Named):
            for child in children(t):
                yield from visit(child, False)
        if post_order:
            yield t

    yield from visit(term, True)


def inputs_of(term: Term) -> list[Input]:
    """Every distinct Input a term depends on, in first-use order."""
    seen: dict[str, Input] = {}
    for t in walk(term):
        if isinstance(t, Input):
            seen.setdefault(t.name, t)
    return list(seen.values())


def named_parts(term: Term) -> list[Named]:
    """The Named intermediates inside a term, innermost first, each once."""
    out: dict[str, Named] = {}
    for t in walk(term, post_order=True):
        if isinstance(t, Named):
            out.setdefault(t.name, t)
    return list(out.values())


def direct_parts(term: Term) -> list[Named]:
    """The named intermediates a formula uses directly (not those inside them), in first-use order."""
    out: dict[str, Named] = {}
    for t in walk(term, enter_named=False):
        if isinstance(t, Named) and t is not term:
            out.setdefault(t.name, t)
    return list(out.values())


def substitute(term: Term, values: Mapping[str, Term | Number], _memo: dict | None = None) -> Term:
    """Replace inputs by other terms or constants (e.g. the month index by 7).

    Each node is rewritten once (memo by identity): formulas are DAGs, and `at_month` shares one
    inlined sub-tree among many parents; without the memo the work grows with the paths, not the nodes.
    """
    memo = {} if _memo is None else _memo
    key = ("substitute", id(term))
    if key not in memo:  # the term is kept beside its result, so its id cannot be reused while the memo lives
        memo[key] = (term, _substitute(term, values, memo))
    return memo[key][1]


def _substitute(term: Term, values: Mapping[str, Term | Number], memo: dict) -> Term:
    match term:
        case Input():
            return lift(values[term.name]) if term.name in values else term
        case Op():
            return Op(term.op, substitute(term.left, values, memo), substitute(term.right, values, memo))
        case Cmp():
            return Cmp(term.op, substitute(term.left, values, memo), substitute(term.right, values, memo))
        case Where():
            return Where(substitute(term.cond, values, memo), substitute(term.then, values, memo), substitute(term.otherwise, values, memo))
        case Func():
            return Func(term.name, tuple(substitute(a, values, memo) for a in term.args))
        case Named():
            return Named(term.name, term.label, substitute(term.term, values, memo), term.unit)
    return term


def at_month(term: Term, month_term: Term | Number, tag: str, month_name: str = "month") -> Term:
    """The term as it was (or will be) in another month: `month` replaced by `month_term`.

    Named intermediates that depend on the month are inlined (their columns hold this month's
    values, not that month's); the caller names the result once. Why: a fleet bought in
    instalments needs the GPUs it owned `L` months ago, and a kept fleet those of month 1.
    """
    target = lift(month_term)
    memo: dict[int, Term] = {}

    def r(t: Term) -> Term:
        if id(t) in memo:
            return memo[id(t)]
        match t:
            case Input():
                out = target if t.name == month_name else t
            case Op():
                out = Op(t.op, r(t.left), r(t.right))
            case Cmp():
                out = Cmp(t.op, r(t.left), r(t.right))
            case Where():
                out = Where(r(t.cond), r(t.then), r(t.otherwise))
            case Func():
                out = Func(t.name, tuple(r(a) for a in t.args))
            case Named():
                out = r(t.term) if depends_on(t, month_name) else t
            case _:
                out = t
        memo[id(t)] = out
        return out

    return r(term)


# ---------------------------------------------------------------- renderers

def to_polars(term: Term, column_of: Callable[[str], pl.Expr] | None = None,
              named_column: Callable[[str], pl.Expr | None] | None = None,
              running_total: Callable[[str], pl.Expr] | None = None) -> pl.Expr:
    """A polars expression; inputs are columns of the same name unless `column_of` says otherwise.

    `named_column(name)` may return the column holding an intermediate computed earlier, so that
    each named intermediate is computed once (staged evaluation). `running_total(name)` gives the
    running total of a named result where the frame has no row per month to sum over (the
    months loop carries it from block to block).
    """
    col = column_of or pl.col

    def r(t: Term) -> pl.Expr:
        match t:
            case Input():
                return col(t.name)
            case Const():
                return _literal(t.value)
            case Op():
                a, b = r(t.left), r(t.right)
                if t.op == "+": return a + b
                if t.op == "-": return a - b
                if t.op == "*": return a * b
                if t.op == "/": return a / b
                if t.op == "^": return a.pow(b)
            case Cmp():
                a, b = r(t.left), r(t.right)
                return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b}[t.op]
            case Where():
                return pl.when(r(t.cond)).then(r(t.then)).otherwise(r(t.otherwise))
            case Func():
                if t.name == "running" and running_total is not None: return running_total(t.args[0].name)
                args = [r(a) for a in t.args]
                if t.name == "sum": return pl.sum_horizontal(args)
                if t.name == "running": return args[0].cum_sum().over("row", order_by="month")
                if t.name == "max": return pl.max_horizontal(args)
                if t.name == "min": return pl.min_horizontal(args)
                if t.name == "ceil": return _ceil_whole(args[0])
                if t.name == "floor": return args[0].floor()
                if t.name == "abs": return args[0].abs()
                if t.name == "exp": return args[0].exp()
                if t.name == "ln": return args[0].log()
            case Named():
                if named_column is not None:
                    ref = named_column(t.name)
                    if ref is not None:
                        return ref
                return r(t.term)
        raise TypeError(f"cannot render {t!r}")

    return r(term)


_LITERALS: dict[float, pl.Expr] = {}


def _literal(value: float) -> pl.Expr:
    # building a polars literal costs more than most of a formula's arithmetic: reuse them
    if value not in _LITERALS or len(_LITERALS) > 4096:
        if len(_LITERALS) > 4096:
            _LITERALS.clear()
        _LITERALS[value] = pl.lit(value, dtype=pl.Float64)
    return _LITERALS[value]


def _ceil_whole(e: pl.Expr) -> pl.Expr:
    # Round before ceiling so that 3.0000000000000004 replicas is 3, as Excel's ROUNDUP of a
    # value computed the same way would be: floating-point noise must not buy a GPU.
    return e.round(ROUNDING_DIGITS).ceil()


def to_python(term: Term, values: Mapping[str, float]) -> float:
    """Evaluate with plain floats: for one-off checks and the explain screen."""
    match term:
        case Input():
            return float(values[term.name])
        case Const():
            return term.value
        case Op():
            a, b = to_python(term.left, values), to_python(term.right, values)
            if term.op == "+": return a + b
            if term.op == "-": return a - b
            if term.op == "*": return a * b
            if term.op == "/": return a / b if b != 0 else (math.nan if a == 0 else math.copysign(math.inf, a) * (1 if b >= 0 else -1))
            if term.op == "^": return a ** b
        case Cmp():
            a, b = to_python(term.left, values), to_python(term.right, values)
            return float({">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b}[term.op])
        case Where():
            return to_python(term.then, values) if to_python(term.cond, values) else to_python(term.otherwise, values)
        case Func():
            if term.name == "running":
                # one month's values cannot give a running total: the caller passes it as `running:<name>`
                key = f"running:{term.args[0].name}"
                if key not in values:
                    raise KeyError(key)
                return float(values[key])
            args = [to_python(a, values) for a in term.args]
            if term.name == "sum": return sum(args, 0.0)
            if term.name == "max": return max(args)
            if term.name == "min": return min(args)
            if term.name == "ceil": return float(math.ceil(round(args[0], ROUNDING_DIGITS)))
            if term.name == "floor": return float(math.floor(args[0]))
            if term.name == "abs": return abs(args[0])
            if term.name == "exp": return math.exp(args[0])
            if term.name == "ln": return math.log(args[0])
        case Named():
            return to_python(term.term, values)
    raise TypeError(f"cannot evaluate {term!r}")


_EXCEL_FUNC = {"sum": "SUM", "max": "MAX", "min": "MIN", "abs": "ABS", "exp": "EXP", "ln": "LN"}


def to_excel(term: Term, cell_of: Callable[[str], str], named_cell: Callable[[str], str | None] | None = None,
             number: Callable[[float, str], str] | None = None, context: str = "",
             running_cell: Callable[[str], str | None] | None = None) -> str:
    """An Excel formula body (without the leading `=`).

    `cell_of(input_name)` gives the cell reference of an input (e.g. `Inputs!$C$5` or a defined
    name); `named_cell(name)` may return the cell of an intermediate already written elsewhere, so
    a long formula refers to it instead of repeating it; `number(value, where)` writes a constant
    (the workbook gives every number but 0 and 1 a defined name; `where` is the enclosing named
    quantity); `running_cell(name)` gives the running total of a named result's column (`SUM(F$7:F12)`). Only functions that both Excel and LibreOffice evaluate are used (IF, MAX, MIN,
    ROUNDUP, ROUND, ROUNDDOWN, ABS, EXP, LN).
    """
    write_number = number or (lambda value, where: _excel_number(value))

    def r(t: Term, where: str) -> str:
        match t:
            case Input():
                return cell_of(t.name)
            case Const():
                return write_number(t.value, where)
            case Op():
                return f"({r(t.left, where)}{t.op}{r(t.right, where)})"
            case Cmp():
                op = "<>" if t.op == "!=" else t.op
                return f"({r(t.left, where)}{op}{r(t.right, where)})"
            case Where():
                return f"IF({r(t.cond, where)},{r(t.then, where)},{r(t.otherwise, where)})"
            case Func():
                if t.name == "running":
                    ref = running_cell(t.args[0].name) if running_cell is not None else None
                    if ref is None:
                        raise TypeError(f"no column to sum for the running total of {t.args[0].name}")
                    return ref
                args = [r(a, where) for a in t.args]
                if t.name == "ceil":
                    return f"ROUNDUP(ROUND({args[0]},{write_number(float(ROUNDING_DIGITS), 'rounding_digits')}),0)"
                if t.name == "floor":
                    return f"ROUNDDOWN({args[0]},0)"
                return f"{_EXCEL_FUNC[t.name]}({','.join(args)})"
            case Named():
                if named_cell is not None:
                    ref = named_cell(t.name)
                    if ref is not None:
                        return ref
                return r(t.term, t.name)
        raise TypeError(f"cannot render {t!r}")

    return r(term, context)


def _excel_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def explain(term: Term, values: Mapping[str, float] | None = None, expand_named: bool = False,
            labels: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The formula in words: `(GPUs x GPU price per hour (USD) x hours per month)`.

    With `values`, each input is followed by its value: `GPUs [= 8]`. `labels` (name -> (label, unit)) replaces
    the labels of some inputs and named parts: committed API capacity says units where the formulas say GPUs.
    """
    labels = labels or {}

    def fmt(v: float) -> str:
        if v == int(v) and abs(v) < 1e12:
            return f"{int(v):,}"
        return f"{v:,.6g}"

    def r(t: Term) -> str:
        match t:
            case Input():
                label = labels[t.name][0] if t.name in labels else t.label or t.name
                if values is not None and t.name in values:
                    return f"{label} [= {fmt(values[t.name])}]"
                return label
            case Const():
                return t.label or fmt(t.value)
            case Op():
                sym = {"*": "×", "/": "÷", "^": "^"}.get(t.op, t.op)
                return f"({r(t.left)} {sym} {r(t.right)})"
            case Cmp():
                return f"{r(t.left)} {t.op} {r(t.right)}"
            case Where():
                return f"(if {r(t.cond)} then {r(t.then)} else {r(t.otherwise)})"
            case Func():
                if t.name == "sum":
                    if len(t.args) > 4:
                        return f"(sum of {len(t.args)} terms: {r(t.args[0])} + … + {r(t.args[-1])})"
                    return "(" + " + ".join(r(a) for a in t.args) + ")"
                words = {"ceil": "round up", "floor": "round down", "running": "running total over the months so far of"}
                return f"{words.get(t.name, t.name)}({', '.join(r(a) for a in t.args)})"
            case Named():
                return r(t.term) if expand_named else labels[t.name][0] if t.name in labels else t.label
        raise TypeError(f"cannot explain {t!r}")

    return r(term)


# ---------------------------------------------------------------- simplification

def specialize(term: Term, values: Mapping[str, Number]) -> Term:
    """Fix some inputs (e.g. the flags of an API option) and fold what becomes constant.

    Why: the workbook and the explanation of an API option should not show GPU formulas
    multiplied by zero.
    """
    return simplify(substitute(term, {k: Const(float(v)) for k, v in values.items()}))


def specialize_all(terms: Iterable[Term], values: Mapping[str, Number]) -> list[Term]:
    """`specialize` for several terms at once, keeping the named parts they share shared."""
    consts = {k: Const(float(v)) for k, v in values.items()}
    sub_memo: dict = {}
    simp_memo: dict = {}
    return [simplify(substitute(t, consts, sub_memo), simp_memo) for t in terms]


def simplify(term: Term, _memo: dict | None = None) -> Term:
    """Fold constants (x*0, x+0, IF on a constant...); each node once (memo by identity, as `substitute`)."""
    memo = {} if _memo is None else _memo
    key = ("simplify", id(term))
    if key not in memo:  # the term is kept beside its result, so its id cannot be reused while the memo lives
        memo[key] = (term, _simplify(term, memo))
    return memo[key][1]


def _simplify(term: Term, memo: dict) -> Term:
    match term:
        case Op():
            a, b = simplify(term.left, memo), simplify(term.right, memo)
            ca = a.value if isinstance(a, Const) else None
            cb = b.value if isinstance(b, Const) else None
            if ca is not None and cb is not None:
                return Const(to_python(Op(term.op, Const(ca), Const(cb)), {}))
            if term.op == "*":
                if ca == 0 or cb == 0: return Const(0.0)
                if ca == 1: return b
                if cb == 1: return a
            if term.op == "+":
                if ca == 0: return b
                if cb == 0: return a
            if term.op == "-" and cb == 0:
                return a
            if term.op == "/":
                if ca == 0: return Const(0.0)
                if cb == 1: return a
            if term.op == "^" and (cb == 0 or ca == 1):
                return Const(1.0)
            return Op(term.op, a, b)
        case Cmp():
            a, b = simplify(term.left, memo), simplify(term.right, memo)
            if isinstance(a, Const) and isinstance(b, Const):
                return Const(to_python(Cmp(term.op, a, b), {}))
            return Cmp(term.op, a, b)
        case Where():
            c = simplify(term.cond, memo)
            if isinstance(c, Const):
                return simplify(term.then, memo) if c.value else simplify(term.otherwise, memo)
            return Where(c, simplify(term.then, memo), simplify(term.otherwise, memo))
        case Func():
            args = tuple(simplify(a, memo) for a in term.args)
            if term.name == "running":
                if isinstance(args[0], Const) and args[0].value == 0:
                    return Const(0.0)
                if not isinstance(args[0], Named):  # a folded argument keeps a column to sum
                    args = (Named(term.args[0].name, term.args[0].label, args[0], term.args[0].unit),)
                return Func("running", args)
            if all(isinstance(a, Const) for a in args):
                return Const(to_python(Func(term.name, args), {}))
            if term.name == "sum":
                kept = tuple(a for a in args if not (isinstance(a, Const) and a.value == 0))
                if len(kept) == 1:
                    return kept[0]
                return Func("sum", kept)
            return Func(term.name, args)
        case Named():
            inner = simplify(term.term, memo)
            return inner if isinstance(inner, Const) else Named(term.name, term.label, inner, term.unit)
    return term


_INPUT_NAMES: "weakref.WeakKeyDictionary[Term, frozenset[str]]" = weakref.WeakKeyDictionary()


def depends_on(term: Term, name: str) -> bool:
    """Whether `term` reads the input `name`. Remembered per term (terms are immutable and shared by
    many formulas; the workbook asks this of every part of every option)."""
    names = _INPUT_NAMES.get(term)
    if names is None:
        names = _INPUT_NAMES[term] = frozenset(i.name for i in inputs_of(term))
    return name in names
