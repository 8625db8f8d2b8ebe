"""docs/fields.md: every user-facing input, generated from the field map (tco/engine/fields.py).

Run `python -m tco.report.fields_doc > docs/fields.md`; a test checks that the file is current.
"""

from __future__ import annotations

from tco.engine import fields as FM

_SCOPE_TITLES = {"workload": "Workload", "finance": "Finance", "api": "API options (`kind: api`)",
                 "self-hosted": "Self-hosted options (`kind: self-hosted`)", "hybrid": "Hybrid options (`kind: hybrid`)",
                 "api-provisioned": "Committed API capacity (`kind: api-provisioned`)"}


def _rule(f: FM.Field) -> str:
    if f.input is None:
        return "lookup (re-resolves the option)" if f.rebuild else "none: labels the workbook's months, costs unchanged"
    scale = "depends on the scenario" if callable(f.scale) else f"{f.scale:g}"
    if callable(f.scale):
        rule = f"`{f.input}` = value x ({f.scale.__doc__ or 'a factor of the scenario'})"
    elif f.scale == 1.0 and f.offset == 0.0:
        rule = f"`{f.input}` = value"
    else:
        rule = f"`{f.input}` = {f.offset:g} + {scale} x value" if f.offset else f"`{f.input}` = {scale} x value"
    return rule + (" (re-resolves the option)" if f.rebuild else "")


def _bounds(f: FM.Field) -> str:
    if f.ui not in ("number", "whole"):
        return ""
    return FM.bounds_text(f)


def fields_markdown() -> str:
    lines = [
        "# Scenario inputs: the field map",
        "",
        "Generated from `tco/engine/fields.py` by `python -m tco.report.fields_doc > docs/fields.md`; do not edit.",
        "",
        "Each row is one input a scenario file can hold. The same declaration is read by the rows builder",
        "(scenario to formula inputs), `tco sweep` and `--set` (paths), sensitivity and Monte Carlo (which",
        "inputs a range moves), the terminal UI's form and the workbook's input names. Where a value passes",
        "through unchanged, the YAML key and the formula input are the same word. Bounds come from the",
        "scenario schema. Option fields are written `options.<id>.<path>` in `--set` and `--vary`.",
        "",
        "A *lookup* field changes what is looked up (the throughput model's operating point, the price in",
        "force, the GPU's figures): a sweep over it re-resolves the options for each value, as `tco run --set` does.",
        "",
    ]
    for scope in FM.SCOPES:
        lines += [f"## {_SCOPE_TITLES[scope]}", "", "| path | label | unit | formula input | bounds |",
                  "|---|---|---|---|---|"]
        for f in FM.fields_of(scope):
            lines.append(f"| `{'.'.join(f.path)}` | {f.label} | {f.unit} | {_rule(f)} | {_bounds(f)} |")
        lines.append("")
    lines += ["## Older spellings", "",
              "Still read, with a warning that names the new key (`tco validate` and `tco run` print it). Giving",
              "both spellings in one place is an error.", "", "| older key | read as |", "|---|---|"]
    for f in FM.FIELDS:
        for old in f.old_names:
            head = "options.<id>." if f.scope in FM.OPTION_SCOPES else f"{f.scope}."
            lines.append(f"| `{head}{'.'.join((*f.path[:-1], old))}` | `{f.yaml_path}` |")
    lines += ["", "Renamed formula inputs (workbook names and `tco explain`): `peak_factor` is `peak_to_average`,",
              "`gpu_hours_overhead` is `spot_interruption_overhead`.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(fields_markdown(), end="")
