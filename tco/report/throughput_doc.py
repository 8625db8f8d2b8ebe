"""The table of fitted constants in docs/throughput.md, generated from `FITTED`.

Why generated: the constants change at every refit; a table copied by hand drifts from the code.
`python -m tco.report.throughput_doc docs/throughput.md` rewrites the block between the markers
(the rest of the page is prose); tests/test_generated.py checks it is current.
"""

from __future__ import annotations

from dataclasses import fields

from tco.engine.throughput.fitted import FITTED, GENERATION_FALLBACK, FittedConstants, PerGeneration

BEGIN = "<!-- BEGIN fitted constants: generated from tco/engine/throughput/fitted.py by `python -m tco.report.throughput_doc docs/throughput.md` -->"
END = "<!-- END fitted constants -->"


def _number(value: float) -> str:
    """Three significant figures, trailing zeros kept (0.610), no dangling point (143)."""
    return f"{value:#.3g}".rstrip(".")


def _scaled(value: float, unit: str) -> str:
    """A value in the unit the table shows: seconds in us (ms from 1 ms), bytes/s in GB/s, the rest as is."""
    if unit == "s":
        return f"{_number(value * 1e3)} ms" if value >= 1e-3 else f"{_number(value * 1e6)} us"
    if unit == "bytes/s":
        return _number(value / 1e9)
    return _number(value)


def _value_cell(value: float | PerGeneration, unit: str) -> str:
    suffix = " GB/s" if unit == "bytes/s" else ""
    if not isinstance(value, PerGeneration):
        return _scaled(value, unit) + suffix
    own = {g: v for g, v in value.entries().items() if g != GENERATION_FALLBACK}
    if not own:
        return f"{_scaled(value.shared, unit)}{suffix} ({GENERATION_FALLBACK})"
    listed = ", ".join(f"{g.capitalize()} {_scaled(v, unit)}" for g, v in own.items())
    return f"{listed}{suffix} ({GENERATION_FALLBACK} {_scaled(value.shared, unit)})"


def fitted_values_count(constants: FittedConstants) -> int:
    """Values the fit sets: one per plain constant, one per entry of a per-generation one."""
    return sum(len(v.entries()) if isinstance(v, PerGeneration) else 1
               for v in (getattr(constants, f.name) for f in fields(constants)))


def constants_table_markdown(constants: FittedConstants = FITTED) -> str:
    """The block between BEGIN and END (markers included)."""
    lines = [BEGIN, "| Constant | Value | Meaning |", "|---|---|---|"]
    for f in fields(constants):
        lines.append(f"| `{f.name}` | {_value_cell(getattr(constants, f.name), f.metadata['unit'])} | {f.metadata['meaning']} |")
    lines += ["", f"{fitted_values_count(constants)} fitted values (a per-generation constant's `{GENERATION_FALLBACK}` value "
                  "serves the generations without their own).", END]
    return "\n".join(lines)


def with_current_table(doc_text: str, constants: FittedConstants = FITTED) -> str:
    """`doc_text` with its generated block replaced by the current one."""
    start, end = doc_text.index(BEGIN), doc_text.index(END) + len(END)
    return doc_text[:start] + constants_table_markdown(constants) + doc_text[end:]


if __name__ == "__main__":
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m tco.report.throughput_doc", description=__doc__.split("\n\n")[0])
    parser.add_argument("doc", nargs="?", default="docs/throughput.md", help="the page to update (default: docs/throughput.md)")
    path = Path(parser.parse_args().doc)
    path.write_text(with_current_table(path.read_text(encoding="utf-8")), encoding="utf-8")
