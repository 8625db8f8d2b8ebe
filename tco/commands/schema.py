"""`tco schema`: the JSON Schema of scenario files (and of the catalogs), for editor completion."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files (or hardware / pricing files)")
    p.add_argument("kind", nargs="?", choices=("scenario", "hardware", "pricing"), default="scenario")
    p.set_defaults(func=run)


def schema_json(kind: str) -> str:
    import json

    if kind == "scenario":
        from tco.model.scenario import ScenarioFile as model
    elif kind == "hardware":
        from tco.model.hardware import HardwareFile as model
    else:
        from tco.model.pricing import ApiProvider as model
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = {"scenario": "llm-tco scenario file", "hardware": "llm-tco hardware file", "pricing": "llm-tco API price sheet"}[kind]
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def run(args) -> int:
    sys.stdout.write(schema_json(args.kind))
    return 0
