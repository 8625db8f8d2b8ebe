"""Named constants of the workbook and the Excel renderer that uses them.

Why: a modeller auditing `=x*730` cannot tell hours per month from a typo; the FAST Standard and
the ICAEW code ask for every constant to be a labelled input. So every number in a formula other
than 0 and 1 is a defined name on the Inputs sheet (`hours_per_month`, `tokens_per_million` ...).
The engine's formulas fold some constants together when they specialise an option (730 / 24 becomes
30.4166...): constants whose value says what they are (730, 1e6, 12) are therefore matched by value.
Small numbers are not: a 2 is the divisor of an average in one formula and "two terms ago" in
another, so a named constant that happens to equal it (say `runner_up_rank`) would mislabel the other
uses. Those constants are used by name only (`by_value=False`; the renderer asks for
`rounding_digits` by name), and other whole numbers are `number_2`, `number_3` ... A value with no
entry below still gets a defined name (`constant_1`, ...) with its formula context, so the "no
literal" rule never breaks when someone adds a formula; give it a proper entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tco import units
from tco.engine.breakeven import LOWEST_REQUESTS_PER_DAY
from tco.engine.expr import ROUNDING_DIGITS, Term, to_excel


@dataclass(frozen=True)
class Constant:
    name: str
    """Defined name in the workbook."""
    value: float
    label: str
    unit: str
    why: str
    by_value: bool = True
    """Matched to any number of its value in an engine formula; False: only where a formula names it."""


CONSTANTS: tuple[Constant, ...] = (
    Constant("hours_per_month", units.HOURS_PER_MONTH, "hours per month", "hours",
             "8,760 h a year / 12: the convention cloud providers use to turn hourly prices into monthly ones."),
    Constant("days_per_month", units.DAYS_PER_MONTH, "days per month", "days",
             "365 / 12: an average month, so 12 months make exactly one year of requests (also hours per month / hours per day)."),
    Constant("hours_per_day", 24.0, "hours per day", "hours", "The hourly traffic profile has 24 hours."),
    Constant("seconds_per_month", units.DAYS_PER_MONTH * 86400.0, "seconds per month", "seconds",
             "days per month x 86,400 s: turns monthly volumes into completions per second."),
    Constant("tokens_per_million", units.TOKENS_PER_MILLION, "tokens per million", "tokens",
             "API prices are quoted per million tokens."),
    Constant("months_per_year", units.MONTHS_PER_YEAR, "months per year", "months",
             "Annual rates (discount, price decline, staff cost, depreciation) become monthly ones."),
    Constant("one_month_in_years", 1.0 / units.MONTHS_PER_YEAR, "one month as a fraction of a year", "years",
             "1 / 12: the exponent that turns an annual rate into a monthly one, (1 + discount_rate_per_year)^(1/12) in the "
             "discount factor of one month (the engine's formula folds 1 / months_per_year into this value)."),
    Constant("thousand", 1000.0, "one thousand", "",
             "Prices per thousand requests (search grounding), grams per kilogram, watts per kilowatt."),
    Constant("one_half", 0.5, "one half", "",
             "A 0/1 flag above one half counts as set (safe against rounding); x + one half rounded down is x rounded to the nearest whole number."),
    Constant("divide_guard", 1e-12, "smallest denominator for a share", "",
             "Keeps a share finite when nothing is served (0 / 0); far below any real volume."),
    Constant("divide_guard_per_unit", 1e-300, "smallest denominator for a cost per unit", "",
             "Keeps a cost per unit finite when nothing was served; the result is then shown as 0."),
    Constant("cent_decimals", 2.0, "decimal places of a cent", "digits",
             "Totals are ranked to the cent, as the engine ranks them: totals equal to the cent are a tie and share the better rank.", by_value=False),
    Constant("breakeven_search_step_limit", 10.0, "largest factor one break-even search step moves the volume by", "",
             "Keeps the live break-even search (Calculations sheets) from jumping off the scale on a flat stretch of the cost curves.", by_value=False),
    Constant("breakeven_certificate_share", 0.005, "half-width of the bracket that certifies a live break-even volume", "fraction",
             "The live break-even is accepted when the option costs more than its reference 0.5 % below it and no more 0.5 % above it "
             "(or at it, when a safe step up found it); a safe step up is taken when it lies more than this share below the look-back's result.", by_value=False),
    Constant("breakeven_look_back_near_share", 0.005, "how far below its last step the break-even search looks back first", "fraction",
             "A staircase can cross the API line several times: a look-back point where the option already costs no more "
             "sends the search down to the lower crossing.", by_value=False),
    Constant("breakeven_look_back_middle_share", 0.03, "how far below its last step the break-even search looks back second", "fraction",
             "See breakeven_look_back_near_share.", by_value=False),
    Constant("breakeven_look_back_far_share", 0.1, "how far below its last step the break-even search looks back farthest", "fraction",
             "See breakeven_look_back_near_share.", by_value=False),
    Constant("breakeven_converged_share", 1e-9, "cost difference, as a share of the reference's total, treated as the costs meeting", "fraction",
             "The engine solves break-even volumes to about 1e-10 of the totals; a search step at such a volume stays put.", by_value=False),
    Constant("breakeven_unchanged_share", 1e-6, "live break-even within this share of the exported one counts as unchanged", "fraction",
             "The volume from which an option stays no costlier is not searched live (it needs the staircase scanned to 10^10 "
             "requests/day): the exported figure is shown while the live break-even is still the exported one.", by_value=False),
    Constant("lowest_requests_per_day", LOWEST_REQUESTS_PER_DAY, "lowest daily volume searched for a break-even", "requests/day",
             "The engine's search range starts here too (tco.engine.breakeven.LOWEST_REQUESTS_PER_DAY).", by_value=False),
    Constant("rounding_digits", float(ROUNDING_DIGITS), "decimal places kept before rounding up to whole replicas", "digits",
             "Floating-point noise (3.0000000000000004 replicas) must not buy a GPU; the engine rounds the same way.", by_value=False),
)
BY_VALUE: dict[float, Constant] = {c.value: c for c in CONSTANTS if c.by_value}
BY_NAME: dict[str, Constant] = {c.name: c for c in CONSTANTS}
assert len(BY_VALUE) == sum(c.by_value for c in CONSTANTS), "two by-value constants share a value"
UNNAMED_CONSTANT_NOTE = "No entry in tco.export.constants yet: the value as the engine's formula writes it."
"""The note of a constant met in a formula with no entry in CONSTANTS: a placeholder that must not ship
(tests/export check the bundled examples' workbooks)."""
LITERALS_ALLOWED = (0.0, 1.0)
LARGEST_NUMBERED = 100
"""Whole numbers from 2 up to this without an entry are `number_<n>` (counts: terms ago, exponents)."""


class ConstantTable:
    """The constants one workbook uses: known ones by value or by name, others named as met."""

    def __init__(self) -> None:
        self.used: dict[str, Constant] = {}
        self.other: dict[float, Constant] = {}

    def name_of(self, value: float, context: str = "") -> str:
        """The defined name of `value`; `context` is the enclosing formula's name, or the name of the
        constant the renderer means (`rounding_digits`)."""
        named = BY_NAME.get(context)
        known = named if named is not None and named.value == value else BY_VALUE.get(value)
        if known is None:
            known = self.other.get(value)
        if known is None:
            if float(value).is_integer() and 2 <= value <= LARGEST_NUMBERED:
                known = Constant(f"number_{int(value)}", value, f"the whole number {int(value)}", "",
                                 "A count in the engine's formula: terms or depreciation periods ago, a price factor's "
                                 "exponent, the 2 of an average of two values.")
            else:
                known = Constant(f"constant_{len(self.other) + 1}", value, f"constant used in {context or 'a formula'}", "",
                                 UNNAMED_CONSTANT_NOTE)
            self.other[value] = known
        self.used.setdefault(known.name, known)
        return known.name

    def all(self) -> list[Constant]:
        """Every named constant: the known ones always (a modeller may use them), then any others met."""
        out = {c.name: c for c in CONSTANTS}
        out.update({c.name: c for c in self.used.values()})
        return list(out.values())


def to_excel_named(term: Term, cell_of, named_cell=None, constants: ConstantTable | None = None, context: str = "",
                   running_cell=None) -> str:
    """`tco.engine.expr.to_excel` with every number other than 0 and 1 written as a named constant."""
    table = constants or ConstantTable()

    def number(value: float, where: str) -> str:
        if value in LITERALS_ALLOWED:
            return str(int(value))
        if value < 0:
            return f"(0-{number(-value, where)})"
        return table.name_of(value, where)

    return to_excel(term, cell_of, named_cell, number, context, running_cell)
