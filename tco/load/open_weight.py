"""Which API model ids serve an open-weight model from hardware/models.yaml (curated, conservative).

Why a hand-made table and not fuzzy matching: `deepseek-r1-distill-llama-70b` contains
`llama-70b` but is a different model; `hermes-3-llama-3.1-405b` is a fine-tune. Only ids that
unambiguously name the same weights (instruct or base release, or the same weights in FP8/BF16)
are listed. Left out on purpose: moving aliases (`deepseek-chat`, `deepseek-reasoner`,
`mistral-large`, `mistral-small`), later checkpoints of the same architecture (`-0324`, `-2507`,
`kimi-k2-0905`), distills and community fine-tunes, 4-bit (AWQ) builds, vision/coder spin-offs.
The same table is printed in pricing/README.md.
"""

from __future__ import annotations

import re

OPEN_WEIGHT_IDS: dict[str, tuple[str, ...]] = {
    "llama-2-70b": ("llama-2-70b-chat", "llama-2-70b-chat-hf", "llama2-70b-4096"),
    "llama-3.1-8b": (
        "llama-3.1-8b", "llama-3.1-8b-instruct", "llama-3.1-8b-instant", "llama3.1-8b", "llama3-1-8b-instruct",
        "meta-llama-3.1-8b-instruct", "meta-llama-3.1-8b-instruct-turbo", "meta-llama-3-1-8b-instruct",
        "llama-3.1-8b-instruct-bf16", "llama-3.1-8b-instruct-fp8", "llama-3.1-8b-instruct-fp8-fast",
    ),
    "llama-3.1-70b": (
        "llama-3.1-70b-instruct", "llama-3.1-70b-versatile", "llama3-1-70b-instruct",
        "meta-llama-3.1-70b-instruct", "meta-llama-3.1-70b-instruct-turbo", "llama-3.1-70b-instruct-fp8-fast",
    ),
    "llama-3.1-405b": (
        "llama-3.1-405b", "llama-3.1-405b-instruct", "meta-llama-3.1-405b-instruct",
        "meta-llama-3.1-405b-instruct-turbo",
    ),
    "llama-3.2-1b": ("llama-3.2-1b-instruct", "llama-3.2-1b-preview", "llama3-2-1b-instruct"),
    "llama-3.2-3b": ("llama-3.2-3b-instruct", "llama-3.2-3b-preview", "llama3-2-3b-instruct"),
    "llama-3.3-70b": (
        "llama-3.3-70b", "llama-3.3-70b-instruct", "llama-3.3-70b-versatile", "llama-3.3-70b-specdec",
        "llama-3.3-70b-instruct-turbo", "llama-3.3-70b-instruct-fp8-fast", "llama3-3-70b-instruct",
        "meta-llama-3.3-70b-instruct", "meta-llama-3.3-70b-instruct-turbo", "meta-llama-3_3-70b-instruct",
        "meta-llama-3-3-70b-instruct",
    ),
    "llama-4-scout": ("llama-4-scout", "llama-4-scout-17b-16e-instruct", "llama4-scout-17b-instruct"),
    "llama-4-maverick": (
        "llama-4-maverick", "llama-4-maverick-17b-128e-instruct", "llama-4-maverick-17b-128e-instruct-fp8",
        "llama4-maverick-instruct-basic", "llama4-maverick-17b-instruct",
    ),
    "mistral-7b": ("mistral-7b-instruct-v0.3",),
    "mixtral-8x7b": (
        "mixtral-8x7b", "mixtral-8x7b-32768", "mixtral-8x7b-instruct", "mixtral-8x7b-instruct-v0.1",
        "mixtral-8x7b-v0.1",
    ),
    "mixtral-8x22b": ("mixtral-8x22b-instruct", "mixtral-8x22b-instruct-v0.1"),
    "mistral-small-3.1-24b": ("mistral-small-3.1-24b-instruct",),
    "qwen2.5-7b": ("qwen2.5-7b-instruct",),
    "qwen2.5-72b": ("qwen2.5-72b-instruct",),
    "qwen3-8b": ("qwen3-8b",),
    "qwen3-32b": ("qwen3-32b", "qwen-3-32b"),
    "qwen3-30b-a3b": ("qwen3-30b-a3b", "qwen3-30b-a3b-fp8"),
    "qwen3-235b-a22b": ("qwen3-235b-a22b", "qwen3-235b-a22b-fp8"),
    "qwen3-coder-480b-a35b": (
        "qwen3-coder-480b-a35b-instruct", "qwen3-coder-480b-a35b-instruct-fp8", "qwen-3-coder-480b",
        "qwen3-coder-480b-a35b",
    ),
    "deepseek-v3": ("deepseek-v3",),
    "deepseek-r1": ("deepseek-r1", "deepseek-r1-0528"),
    "gpt-oss-20b": ("gpt-oss-20b",),
    "gpt-oss-120b": ("gpt-oss-120b",),
    "gemma-3-12b": ("gemma-3-12b-it", "gemma-3-12b"),
    "gemma-3-27b": ("gemma-3-27b-it",),
    "phi-4": ("phi-4",),
    "kimi-k2": ("kimi-k2-instruct", "kimi-k2-0711-preview"),
    "glm-4.5": ("glm-4.5", "glm-4.5-fp8"),
    "glm-4.5-air": ("glm-4.5-air", "glm-4.5-air-fp8"),
}
"""Open model id -> API model ids (after `normalized_api_id`) that serve exactly those weights."""

PROVIDER_SPECIFIC: dict[tuple[str, str], str] = {
    ("moonshotai", "kimi-k2"): "kimi-k2",
}
"""(provider, normalized id) pairs whose meaning depends on the provider: Moonshot's `kimi-k2` is
"Kimi K2 0711" (the original release), elsewhere `kimi-k2` may point at a later checkpoint."""

_LOOKUP = {api_id: open_id for open_id, api_ids in OPEN_WEIGHT_IDS.items() for api_id in api_ids}
_PREFIXES = ("databricks-", "meta.", "mistral.", "qwen.", "openai.", "google.")
_SUFFIXES = (":free", ":batch")


def normalized_api_id(model_id: str) -> str:
    """`meta-llama/Llama-3.3-70B-Instruct-Turbo` -> `llama-3.3-70b-instruct-turbo`;
    AWS `meta.llama3-3-70b-instruct-v1:0` -> `llama3-3-70b-instruct`."""
    name = model_id.lower().rsplit("/", 1)[-1]
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return re.sub(r"-(v\d+|\d+):\d+$", "", name)


def open_weight_model_for(provider_id: str, model_id: str) -> str | None:
    key = normalized_api_id(model_id)
    return PROVIDER_SPECIFIC.get((provider_id, key)) or _LOOKUP.get(key)
