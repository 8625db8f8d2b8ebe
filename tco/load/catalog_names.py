"""Names in published tables -> catalog ids, for the converters of measurement tables.

Why one place: the InferenceX converter and the calibration-table converter read the same kinds of cells
(`H200 SXM`, `Llama-3.3-70B`, `NVIDIA Dynamo + SGLang (disaggregated)`); a table of models or GPUs the
converters were not written for should convert as long as the catalog knows them.
"""

from __future__ import annotations

from tco.errors import DataProblem, TcoUserError
from tco.model.catalog import ids_named, name_key

ENGINE_WORDS = (("tensorrt-llm", "trtllm"), ("trt-llm", "trtllm"), ("trtllm", "trtllm"), ("sglang", "sglang"),
                ("vllm", "vllm"), ("atom", "vllm"))
"""An engine label's engine: the first one it names (a Dynamo or llm-d label names the engine under it; AMD's ATOM
shares vLLM's defaults in the model)."""


key = name_key
"""A cell as compared: case, spaces, hyphens and underscores aside (the catalog's own rule, `Catalog.gpu_id_for`)."""


def catalog_id(records: dict, value: str, what: str, where: str, line: int | None, field: str,
               listing: str) -> tuple[str | None, DataProblem | None]:
    """The id a typed GPU or model (`what`) means: an id, a name or alias (`ids_named`); or the problem, named at
    `where`:`line` `field`: a name several records go by (both named), or none (a did-you-mean).

    Why one place: `tco throughput` and `tco measurements import` read the same flags and cells."""
    from tco.load.yaml_source import did_you_mean

    ids = ids_named(value, records)
    if len(ids) == 1:
        return ids[0], None
    if ids:
        return None, DataProblem(where, line, field, f"`{value}` names {len(ids)} {what}s: " + ", ".join(f"`{i}`" for i in ids),
                                 hint="give the id of the one you mean")
    return None, DataProblem(where, line, field, f"unknown {what} `{value}`", hint=did_you_mean(value, records) or f"see `{listing}`")


def name_maps(catalog=None, gpus: dict[str, str] | None = None, models: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Cell -> id for the gpu and model columns: the given names first, then every catalog record's id, name and aliases."""
    gpu_ids = {key(k): v for k, v in (gpus or {}).items()}
    model_ids = {key(k): v for k, v in (models or {}).items()}
    if catalog is not None:
        for table, records in ((gpu_ids, catalog.gpus.values()), (model_ids, catalog.models.values())):
            for record in records:
                for name in (record.id, record.name, *record.aliases):
                    table.setdefault(key(name), record.id)
    return {"gpu": gpu_ids, "model": model_ids}


def engine_of(label: str, known: dict[str, str] | None = None) -> str | None:
    """The engine id of a published engine label, or None."""
    if known and label in known:
        return known[label]
    words = label.lower()
    return next((engine for word, engine in ENGINE_WORDS if word in words), None)


def resolve_ids(row: dict[str, str], names: dict[str, dict[str, str]], where: tuple[str, int],
                engines: dict[str, str] | None = None, skipped: list | None = None) -> dict[str, str] | None:
    """The row's gpu, model and engine ids. An unknown cell stops with the table's file, line and column, or, given
    a `skipped` list, is noted there as (line, column, value) and the row left out (None)."""
    ids = {column: names[column].get(key(row.get(column) or "")) for column in ("gpu", "model")}
    ids["engine"] = engine_of(row.get("engine") or "", engines)
    for column in ("gpu", "model", "engine"):
        if ids[column] is None:
            if skipped is not None:
                skipped.append((where[1], column, row.get(column)))
                return None
            raise TcoUserError(DataProblem(where[0], where[1], column, f"unknown value `{row.get(column)}` (not in the catalog: "
                                                                      "see `tco hardware list`, `tco models list`)"))
    return ids
