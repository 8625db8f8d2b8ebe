"""A new option for a scenario from a catalog item the user picked, with defaults stated here.

Defaults (shown again in the help screen):
- A self-hosted option copies its `operations` (staff, power, software) from the scenario's first
  self-hosted option, so the new one carries the same running costs; with none, no extra costs.
- Model: the picked one, else the scenario's first self-hosted model, else `llama-3.3-70b`.
- GPU: the picked one (or the offer's), else the scenario's first self-hosted GPU, else `h100-sxm`.
- Price: the picked offer; else the cheapest offer for that GPU with an on-demand price per GPU-hour
  (paid on demand), skipping offers whose catalog notes call the price a placeholder (Mithril lists
  1.0 USD per GPU-hour for every shape); with none, the option cannot be added (no invented price).
  A placeholder price is used only when it is the only one, or picked by hand, and then with a warning.
- Precision: fp8 (the scenario file's default), or the format the model is published in where that is smaller (gpt-oss:
  fp4, its MXFP4 experts; at fp8 gpt-oss-120b would need two 80 GB GPUs where it is served on one).
- GPUs per replica: the fewest of 1, 2, 4, 8 on which the engine says the model runs at that precision with vLLM.
- An API price row becomes an API option at list price (no negotiated discount).
"""

from __future__ import annotations

import re
from typing import Any, Callable

DEFAULT_MODEL = "llama-3.3-70b"
DEFAULT_GPU = "h100-sxm"
GPUS_PER_REPLICA_CHOICES = (1, 2, 4, 8)


def placeholder_warning(offer) -> str | None:
    """Why the offer's price should not be trusted, when its catalog notes say it looks like a placeholder."""
    notes = (getattr(offer, "notes", None) or "").strip()
    if "placeholder" not in notes.lower():
        return None
    return f"the price of offer {offer.id} looks like a placeholder (catalog notes: {' '.join(notes.split())})"


class CannotAdd(Exception):
    """The item cannot become an option without a figure we do not have; the message says which."""


def option_id(text: str, taken: set[str]) -> str:
    """A unique id within the scenario, readable and valid (`llama-3.3-70b-on-h200`)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.").lower() or "option"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def api_option(provider: str, model: str, taken: set[str]) -> dict[str, Any]:
    return {"kind": "api", "id": option_id(f"{provider}-{model}", taken), "provider": provider, "model": model}


def starting_precision(open_model) -> str:
    """fp8, or the model's published format where it stores fewer bytes per weight (`memory.released_precision`)."""
    from tco.engine.throughput.memory import BYTES_PER_WEIGHT, released_precision

    published = released_precision(open_model) if open_model is not None else None
    return published if published is not None and BYTES_PER_WEIGHT[published] < BYTES_PER_WEIGHT["fp8"] else "fp8"


def self_hosted_option(scenario, catalog, taken: set[str], *, model: str | None = None, gpu: str | None = None,
                       offer: str | None = None, runs: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """`runs(option)` says whether the engine can serve the option (used to size the replica)."""
    first = next((o for o in scenario.options if o.kind == "self-hosted"), None)
    if offer is not None:
        gpu = catalog.offers[offer].gpu
    model = model or (first.model if first else DEFAULT_MODEL)
    gpu = gpu or (first.gpu if first else DEFAULT_GPU)
    if offer is None:
        priced = [o for o in catalog.offers.values() if o.gpu == gpu and o.on_demand_usd_per_gpu_hour is not None]
        if not priced:
            raise CannotAdd(f"no cloud offer with an on-demand price lists {gpu}; add it from the offers browser or write gpu_usd_per_hour in the file")
        trusted = [o for o in priced if placeholder_warning(o) is None]
        offer = min(trusted or priced, key=lambda o: (o.on_demand_usd_per_gpu_hour, o.id)).id
    chosen = catalog.offers[offer]
    if chosen.on_demand_usd_per_gpu_hour is not None:
        payment = {"mode": "on-demand", "offer": offer}
    elif chosen.spot_usd_per_gpu_hour is not None:
        payment = {"mode": "spot", "offer": offer}
    else:
        raise CannotAdd(f"offer {offer} lists no on-demand or spot price per GPU-hour")
    option: dict[str, Any] = {
        "kind": "self-hosted", "id": option_id(f"{model}-on-{gpu}", taken), "model": model, "gpu": gpu,
        "gpus_per_replica": GPUS_PER_REPLICA_CHOICES[0], "precision": starting_precision(catalog.models.get(model)),
        "engine": "vllm", "payment": payment,
    }
    if first is not None:
        option["operations"] = first.operations.model_dump(exclude_defaults=True)
    if runs is not None:
        for count in GPUS_PER_REPLICA_CHOICES:
            option["gpus_per_replica"] = count
            if runs(option):
                break
        else:
            raise CannotAdd(f"{model} does not run on up to {GPUS_PER_REPLICA_CHOICES[-1]} x {gpu} at {option['precision']}")
    return option
