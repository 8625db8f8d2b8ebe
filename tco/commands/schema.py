"""`tco schema`: the JSON Schema of scenario files (and of the catalogs), for editor completion."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files (or hardware / pricing files)")
    p.add_argument("kind", nargs="?", choices=("scenario", "hardware", "pricing"), default="scenario")
    p.set_defaults(func=run)


def schema_json(kind: str) -> str:
    if kind == "hardware":
        from tco.load.hardware import hardware_schema_text
        return hardware_schema_text()
    if kind == "pricing":
        from tco.model.pricing import provider_schema_text
        return provider_schema_text()
    from tco.model.base import json_schema_text
    from tco.model.scenario import ScenarioFile
    return json_schema_text(ScenarioFile, "llm-tco scenario file")


def run(args) -> int:
    sys.stdout.write(schema_json(args.kind))
    return 0
