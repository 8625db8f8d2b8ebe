"""Regenerate scores.yaml and models.yaml from the collected scores.csv (run by hand, not at run time).

Why a script: the CSV is the collector's record; the YAML files are what llm-tco reads, with one
canonical model id across the score sheet, hardware/models.yaml and the API price sheets. The
model table below is written by hand: every API reference is an exact model (same checkpoint), see
README.md for the rules. Usage:

    python pricing/quality/convert_scores.py /work/shared/data/quality/scores.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name in scores.csv -> (canonical id, hardware/models.yaml id or None, [(provider, model), ...])
MODELS: dict[str, tuple[str, str | None, list[tuple[str, str]]]] = {
    "GPT-4o": ("gpt-4o", None, [("openai", "gpt-4o"), ("openai", "gpt-4o-2024-05-13"), ("openrouter", "openai/gpt-4o"), ("openrouter", "openai/gpt-4o-2024-05-13")]),
    "GPT-4o-mini": ("gpt-4o-mini", None, [("openai", "gpt-4o-mini"), ("openrouter", "openai/gpt-4o-mini")]),
    "GPT-4.1": ("gpt-4.1", None, [("openai", "gpt-4.1"), ("openrouter", "openai/gpt-4.1")]),
    "GPT-4.1-mini": ("gpt-4.1-mini", None, [("openai", "gpt-4.1-mini"), ("openrouter", "openai/gpt-4.1-mini")]),
    "GPT-4.1-nano": ("gpt-4.1-nano", None, [("openai", "gpt-4.1-nano"), ("openrouter", "openai/gpt-4.1-nano")]),
    "o3": ("o3", None, [("openai", "o3"), ("azure", "o3-2025-04-16"), ("openrouter", "openai/o3")]),
    "o4-mini": ("o4-mini", None, [("openai", "o4-mini"), ("azure", "o4-mini"), ("openrouter", "openai/o4-mini")]),
    "GPT-5": ("gpt-5", None, [("openai", "gpt-5"), ("openrouter", "openai/gpt-5")]),
    "GPT-5-mini": ("gpt-5-mini", None, [("openai", "gpt-5-mini"), ("openrouter", "openai/gpt-5-mini")]),
    "GPT-5-nano": ("gpt-5-nano", None, [("openai", "gpt-5-nano"), ("openrouter", "openai/gpt-5-nano")]),
    "Claude 3.5 Sonnet": ("claude-3.5-sonnet", None, [
        ("anthropic", "claude-3-5-sonnet"), ("aws", "regional.anthropic.claude-3-5-sonnet-20240620-v1:0"),
        ("aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"), ("google", "claude-3-5-sonnet"),
        ("openrouter", "anthropic/claude-3.5-sonnet")]),
    "Claude 3.7 Sonnet": ("claude-3.7-sonnet", None, [
        ("anthropic", "claude-3-7-sonnet-latest"), ("aws", "regional.anthropic.claude-3-7-sonnet-20250219-v1:0"),
        ("google", "claude-3-7-sonnet"), ("openrouter", "anthropic/claude-3.7-sonnet")]),
    "Claude Sonnet 4": ("claude-sonnet-4", None, [
        ("anthropic", "claude-sonnet-4-0"), ("aws", "global.anthropic.claude-sonnet-4-20250514-v1:0"),
        ("aws", "regional.anthropic.claude-sonnet-4-20250514-v1:0"), ("google", "claude-4-sonnet"),
        ("openrouter", "anthropic/claude-sonnet-4")]),
    "Claude Sonnet 4.5": ("claude-sonnet-4.5", None, [
        ("anthropic", "claude-sonnet-4-5"), ("aws", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("aws", "regional.anthropic.claude-sonnet-4-5-20250929-v1:0"), ("google", "claude-sonnet-4-5"),
        ("openrouter", "anthropic/claude-sonnet-4.5")]),
    "Claude Opus 4": ("claude-opus-4", None, [
        ("anthropic", "claude-opus-4-0"), ("aws", "regional.anthropic.claude-opus-4-20250514-v1:0"),
        ("google", "claude-4-opus"), ("openrouter", "anthropic/claude-opus-4")]),
    "Claude Opus 4.1": ("claude-opus-4.1", None, [
        ("anthropic", "claude-opus-4-1"), ("aws", "regional.anthropic.claude-opus-4-1-20250805-v1:0")]),
    "Claude Haiku 3.5": ("claude-haiku-3.5", None, [
        ("anthropic", "claude-3-5-haiku-latest"), ("aws", "regional.anthropic.claude-3-5-haiku-20241022-v1:0"),
        ("google", "claude-3-5-haiku"), ("openrouter", "anthropic/claude-3.5-haiku")]),
    "Claude Haiku 4.5": ("claude-haiku-4.5", None, [
        ("anthropic", "claude-haiku-4-5"), ("aws", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("aws", "regional.anthropic.claude-haiku-4-5-20251001-v1:0"), ("google", "claude-haiku-4-5"),
        ("openrouter", "anthropic/claude-haiku-4.5")]),
    "Gemini 2.0 Flash": ("gemini-2.0-flash", None, [("openrouter", "google/gemini-2.0-flash-001")]),
    "Gemini 2.5 Pro": ("gemini-2.5-pro", None, [("google", "gemini-2.5-pro"), ("openrouter", "google/gemini-2.5-pro")]),
    "Gemini 2.5 Flash": ("gemini-2.5-flash", None, [
        ("google", "gemini-2.5-flash"), ("openrouter", "google/gemini-2.5-flash"),
        ("openrouter", "google/gemini-2.5-flash-preview-09-2025")]),
    "Gemini 2.5 Flash-Lite": ("gemini-2.5-flash-lite", None, [
        ("google", "gemini-2.5-flash-lite"), ("openrouter", "google/gemini-2.5-flash-lite"),
        ("openrouter", "google/gemini-2.5-flash-lite-preview-09-2025"), ("openrouter", "gemini-2.5-flash-lite-preview-06-17")]),
    "Grok 3": ("grok-3", None, [("x-ai", "grok-3")]),
    "Grok 4": ("grok-4", None, [("x-ai", "grok-4-0709")]),
    "Llama-3.1-8B-Instruct": ("llama-3.1-8b-instruct", "llama-3.1-8b", [
        ("aws", "meta.llama3-1-8b-instruct-v1:0"),
        ("databricks", "databricks-meta-llama-3-1-8b-instruct"),
        ("fireworks", "llama-v3p1-8b-instruct"), ("groq", "llama-3.1-8b-instant"),
        ("huggingface_cerebras", "meta-llama/Llama-3.1-8B-Instruct"), ("huggingface_nebius", "meta-llama/Llama-3.1-8B-Instruct"),
        ("huggingface_novita", "meta-llama/Llama-3.1-8B-Instruct"), ("huggingface_nscale", "meta-llama/Llama-3.1-8B-Instruct"),
        ("huggingface_ovhcloud", "meta-llama/Llama-3.1-8B-Instruct"), ("huggingface_sambanova", "meta-llama/Llama-3.1-8B-Instruct"),
        ("novita", "meta-llama/llama-3.1-8b-instruct"), ("openrouter", "meta-llama/llama-3.1-8b-instruct"),
        ("ovhcloud", "Llama-3.1-8B-Instruct")]),
    "Llama-3.1-70B-Instruct": ("llama-3.1-70b-instruct", "llama-3.1-70b", [
        ("aws", "meta.llama3-1-70b-instruct-v1:0"),
        ("novita", "meta-llama/llama-3.1-70b-instruct"), ("openrouter", "meta-llama/llama-3.1-70b-instruct")]),
    "Llama-3.1-405B-Instruct": ("llama-3.1-405b-instruct", "llama-3.1-405b", [
        ("openrouter", "meta-llama/llama-3.1-405b-instruct")]),
    "Llama-3.3-70B-Instruct": ("llama-3.3-70b-instruct", "llama-3.3-70b", [
        ("aws", "meta.llama3-3-70b-instruct-v1:0"),
        ("databricks", "databricks-meta-llama-3-3-70b-instruct"), ("groq", "llama-3.3-70b-versatile"),
        ("huggingface_fireworks-ai", "meta-llama/Llama-3.3-70B-Instruct"), ("huggingface_groq", "meta-llama/Llama-3.3-70B-Instruct"),
        ("huggingface_hyperbolic", "meta-llama/Llama-3.3-70B-Instruct"), ("huggingface_nebius", "meta-llama/Llama-3.3-70B-Instruct"),
        ("huggingface_novita", "meta-llama/Llama-3.3-70B-Instruct"), ("huggingface_nscale", "meta-llama/Llama-3.3-70B-Instruct"),
        ("huggingface_ovhcloud", "meta-llama/Llama-3.3-70B-Instruct"), ("huggingface_sambanova", "meta-llama/Llama-3.3-70B-Instruct"),
        ("huggingface_together", "meta-llama/Llama-3.3-70B-Instruct"), ("novita", "meta-llama/llama-3.3-70b-instruct"),
        ("openrouter", "meta-llama/llama-3.3-70b-instruct"), ("ovhcloud", "Meta-Llama-3_3-70B-Instruct")]),
    "Llama-4-Scout": ("llama-4-scout", "llama-4-scout", [
        ("aws", "meta.llama4-scout-17b-instruct-v1:0"), ("cloudflare", "@cf/meta/llama-4-scout-17b-16e-instruct"),
        ("groq", "meta-llama/llama-4-scout-17b-16e-instruct"), ("huggingface_groq", "meta-llama/Llama-4-Scout-17B-16E-Instruct"),
        ("huggingface_novita", "meta-llama/Llama-4-Scout-17B-16E-Instruct"), ("huggingface_nscale", "meta-llama/Llama-4-Scout-17B-16E-Instruct"),
        ("novita", "meta-llama/llama-4-scout-17b-16e-instruct"), ("openrouter", "meta-llama/llama-4-scout"),
        ("together", "meta-llama/Llama-4-Scout-17B-16E-Instruct")]),
    "Llama-4-Maverick": ("llama-4-maverick", "llama-4-maverick", [
        ("aws", "meta.llama4-maverick-17b-instruct-v1:0"), ("databricks", "databricks-llama-4-maverick"),
        ("fireworks", "llama4-maverick-instruct-basic"), ("groq", "meta-llama/llama-4-maverick-17b-128e-instruct"),
        ("huggingface_novita", "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"),
        ("huggingface_together", "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"),
        ("novita", "meta-llama/llama-4-maverick-17b-128e-instruct-fp8"), ("openrouter", "meta-llama/llama-4-maverick"),
        ("together", "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8")]),
    "Qwen2.5-72B-Instruct": ("qwen2.5-72b-instruct", "qwen2.5-72b", [
        ("huggingface_novita", "Qwen/Qwen2.5-72B-Instruct"), ("novita", "qwen/qwen-2.5-72b-instruct"),
        ("openrouter", "qwen/qwen-2.5-72b-instruct")]),
    "Qwen3-8B": ("qwen3-8b", "qwen3-8b", [("huggingface_nscale", "Qwen/Qwen3-8B"), ("openrouter", "qwen/qwen3-8b")]),
    "Qwen3-32B": ("qwen3-32b", "qwen3-32b", [
        ("aws", "qwen.qwen3-32b-v1:0"), ("groq", "qwen/qwen3-32b"),
        ("huggingface_groq", "Qwen/Qwen3-32B"), ("huggingface_nebius", "Qwen/Qwen3-32B"), ("huggingface_novita", "Qwen/Qwen3-32B"),
        ("huggingface_nscale", "Qwen/Qwen3-32B"), ("huggingface_ovhcloud", "Qwen/Qwen3-32B"), ("huggingface_sambanova", "Qwen/Qwen3-32B"),
        ("openrouter", "qwen/qwen3-32b"), ("ovhcloud", "Qwen3-32B")]),
    "Qwen3-30B-A3B": ("qwen3-30b-a3b", "qwen3-30b-a3b", [("huggingface_novita", "Qwen/Qwen3-30B-A3B"), ("openrouter", "qwen/qwen3-30b-a3b")]),
    "Qwen3-30B-A3B-Instruct-2507": ("qwen3-30b-a3b-instruct-2507", "qwen3-30b-a3b", [
        ("huggingface_nebius", "Qwen/Qwen3-30B-A3B-Instruct-2507"), ("openrouter", "qwen/qwen3-30b-a3b-instruct-2507")]),
    "Qwen3-235B-A22B": ("qwen3-235b-a22b", "qwen3-235b-a22b", [
        ("fireworks", "qwen3-235b-a22b"), ("huggingface_novita", "Qwen/Qwen3-235B-A22B"), ("huggingface_nscale", "Qwen/Qwen3-235B-A22B"),
        ("openrouter", "qwen/qwen3-235b-a22b")]),
    "Qwen3-235B-A22B-Instruct-2507": ("qwen3-235b-a22b-instruct-2507", "qwen3-235b-a22b", [
        ("huggingface_hyperbolic", "Qwen/Qwen3-235B-A22B-Instruct-2507"), ("huggingface_nebius", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
        ("huggingface_novita", "Qwen/Qwen3-235B-A22B-Instruct-2507"), ("huggingface_together", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
        ("openrouter", "qwen/qwen3-235b-a22b-2507")]),
    "Qwen3-235B-A22B-Thinking-2507": ("qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b", [
        ("huggingface_nebius", "Qwen/Qwen3-235B-A22B-Thinking-2507"), ("huggingface_novita", "Qwen/Qwen3-235B-A22B-Thinking-2507"),
        ("openrouter", "qwen/qwen3-235b-a22b-thinking-2507")]),
    "Qwen3-Coder-480B-A35B-Instruct": ("qwen3-coder-480b-a35b-instruct", "qwen3-coder-480b-a35b", [
        ("aws", "qwen.qwen3-coder-480b-a35b-v1:0"),
        ("huggingface_hyperbolic", "Qwen/Qwen3-Coder-480B-A35B-Instruct"), ("huggingface_nebius", "Qwen/Qwen3-Coder-480B-A35B-Instruct"),
        ("huggingface_novita", "Qwen/Qwen3-Coder-480B-A35B-Instruct"), ("huggingface_together", "Qwen/Qwen3-Coder-480B-A35B-Instruct")]),
    "DeepSeek-V3": ("deepseek-v3", "deepseek-v3", [
        ("huggingface_novita", "deepseek-ai/DeepSeek-V3"), ("huggingface_together", "deepseek-ai/DeepSeek-V3")]),
    "DeepSeek-V3-0324": ("deepseek-v3-0324", "deepseek-v3", [
        ("fireworks", "deepseek-v3-0324"), ("huggingface_hyperbolic", "deepseek-ai/DeepSeek-V3-0324"),
        ("huggingface_nebius", "deepseek-ai/DeepSeek-V3-0324"), ("huggingface_novita", "deepseek-ai/DeepSeek-V3-0324"),
        ("huggingface_sambanova", "deepseek-ai/DeepSeek-V3-0324"), ("openrouter", "deepseek/deepseek-chat-v3-0324")]),
    "DeepSeek-V3.1": ("deepseek-v3.1", "deepseek-v3", [
        ("huggingface_novita", "deepseek-ai/DeepSeek-V3.1"), ("huggingface_together", "deepseek-ai/DeepSeek-V3.1"),
        ("openrouter", "deepseek/deepseek-chat-v3.1")]),
    "DeepSeek-R1": ("deepseek-r1", "deepseek-r1", [
        ("aws", "deepseek.r1-v1:0"), ("huggingface_hyperbolic", "deepseek-ai/DeepSeek-R1"), ("huggingface_novita", "deepseek-ai/DeepSeek-R1"),
        ("huggingface_together", "deepseek-ai/DeepSeek-R1"), ("novita", "deepseek/deepseek-r1"), ("openrouter", "deepseek/deepseek-r1")]),
    "DeepSeek-R1-0528": ("deepseek-r1-0528", "deepseek-r1", [
        ("fireworks", "deepseek-r1-0528"), ("huggingface_hyperbolic", "deepseek-ai/DeepSeek-R1-0528"),
        ("huggingface_nebius", "deepseek-ai/DeepSeek-R1-0528"), ("huggingface_sambanova", "deepseek-ai/DeepSeek-R1-0528"),
        ("novita", "deepseek/deepseek-r1-0528"), ("openrouter", "deepseek/deepseek-r1-0528")]),
    "gpt-oss-20b": ("gpt-oss-20b", "gpt-oss-20b", [
        ("openai", "gpt-oss-20b"), ("aws", "openai.gpt-oss-20b-1:0"), ("cloudflare", "@cf/openai/gpt-oss-20b"),
        ("databricks", "databricks-gpt-oss-20b"), ("doubleword", "openai/gpt-oss-20b"), ("fireworks", "gpt-oss-20b"),
        ("groq", "openai/gpt-oss-20b"), ("huggingface_fireworks-ai", "openai/gpt-oss-20b"), ("huggingface_groq", "openai/gpt-oss-20b"),
        ("huggingface_hyperbolic", "openai/gpt-oss-20b"), ("huggingface_novita", "openai/gpt-oss-20b"),
        ("huggingface_nscale", "openai/gpt-oss-20b"), ("huggingface_ovhcloud", "openai/gpt-oss-20b"),
        ("huggingface_together", "openai/gpt-oss-20b"), ("openrouter", "openai/gpt-oss-20b"), ("ovhcloud", "gpt-oss-20b")]),
    "gpt-oss-120b": ("gpt-oss-120b", "gpt-oss-120b", [
        ("openai", "gpt-oss-120b"), ("aws", "openai.gpt-oss-120b-1:0"), ("baseten", "openai/gpt-oss-120b"), ("cerebras", "gpt-oss-120b"),
        ("cloudflare", "@cf/openai/gpt-oss-120b"), ("databricks", "databricks-gpt-oss-120b"), ("fireworks", "gpt-oss-120b"),
        ("groq", "openai/gpt-oss-120b"), ("huggingface_cerebras", "openai/gpt-oss-120b"),
        ("huggingface_fireworks-ai", "openai/gpt-oss-120b"), ("huggingface_groq", "openai/gpt-oss-120b"),
        ("huggingface_hyperbolic", "openai/gpt-oss-120b"), ("huggingface_nebius", "openai/gpt-oss-120b"),
        ("huggingface_novita", "openai/gpt-oss-120b"), ("huggingface_nscale", "openai/gpt-oss-120b"),
        ("huggingface_ovhcloud", "openai/gpt-oss-120b"), ("huggingface_sambanova", "openai/gpt-oss-120b"),
        ("huggingface_together", "openai/gpt-oss-120b"), ("novita", "openai/gpt-oss-120b"), ("openrouter", "openai/gpt-oss-120b"),
        ("ovhcloud", "gpt-oss-120b"), ("quicksilverpro", "gpt-oss-120b"), ("together", "openai/gpt-oss-120b")]),
    "Gemma-3-27B-IT": ("gemma-3-27b-it", "gemma-3-27b", [
        ("aws", "google.gemma-3-27b-it"), ("fireworks", "gemma-3-27b-it"), ("huggingface_nebius", "google/gemma-3-27b-it"),
        ("novita", "google/gemma-3-27b-it"), ("openrouter", "google/gemma-3-27b-it")]),
    "Mistral-Small-3.1-24B-Instruct": ("mistral-small-3.1-24b-instruct", "mistral-small-3.1-24b", [
        ("cloudflare", "@cf/mistralai/mistral-small-3.1-24b-instruct"), ("mistral", "mistral-small-3.1-24b-instruct"),
        ("openrouter", "mistralai/mistral-small-3.1-24b-instruct")]),
    "Mistral-Large-2": ("mistral-large-2", "mistral-large-2", []),
    "Kimi-K2-Instruct": ("kimi-k2-instruct", "kimi-k2", [
        ("huggingface_nebius", "moonshotai/Kimi-K2-Instruct"),
        ("huggingface_novita", "moonshotai/Kimi-K2-Instruct"), ("novita", "moonshotai/kimi-k2-instruct"),
        ("openrouter", "moonshotai/kimi-k2")]),
    "Kimi-K2-Instruct-0905": ("kimi-k2-instruct-0905", "kimi-k2", [
        ("huggingface_novita", "moonshotai/Kimi-K2-Instruct-0905"),
        ("novita", "moonshotai/kimi-k2-0905"), ("openrouter", "moonshotai/kimi-k2-0905")]),
    "GLM-4.5": ("glm-4.5", "glm-4.5", [
        ("zai", "GLM-4.5"), ("huggingface_nebius", "zai-org/GLM-4.5"), ("huggingface_novita", "zai-org/GLM-4.5"),
        ("openrouter", "z-ai/glm-4.5")]),
    "Phi-4": ("phi-4", "phi-4", [("azure", "phi-4"), ("openrouter", "microsoft/phi-4")]),
}

NOTES = {
    "deepseek-v3-0324": "Same architecture as DeepSeek-V3 (weights updated), so it sizes like hardware model deepseek-v3.",
    "deepseek-v3.1": "Same architecture as DeepSeek-V3 (weights updated), so it sizes like hardware model deepseek-v3.",
    "deepseek-r1-0528": "Same architecture as DeepSeek-R1 (weights updated).",
    "kimi-k2-instruct-0905": "Same architecture as Kimi-K2-Instruct (0711); longer context.",
    "qwen3-30b-a3b-instruct-2507": "Same architecture as Qwen3-30B-A3B; non-thinking 2507 update.",
    "qwen3-235b-a22b-instruct-2507": "Same architecture as Qwen3-235B-A22B; non-thinking 2507 update.",
    "qwen3-235b-a22b-thinking-2507": "Same architecture as Qwen3-235B-A22B; thinking-only 2507 update.",
    "mistral-large-2": "No price sheet id names Mistral Large 2 (2407/2411) exactly; `mistral-large` is an alias that moved.",
    "llama-4-maverick": "Meta publishes Maverick in BF16 and FP8; the -FP8 ids are Meta's own FP8 checkpoint.",
    "gemini-2.0-flash": "Google's own gemini-2.0-flash price is marked deprecated in genai-prices 0.2.3; only the OpenRouter listing remains.",
}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (safe for any text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(text: str) -> str:
    value = float(text)
    return repr(int(value)) if value.is_integer() and "." not in text else text


def main(csv_path: str) -> None:
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {r["model"] for r in rows}
    missing = sorted(names - set(MODELS))
    if missing:
        raise SystemExit(f"no canonical id for: {', '.join(missing)}")
    kinds = {r["model"]: r["model_kind"] for r in rows}

    out = ["# Published benchmark scores, one entry per row of the collected scores.csv (collected 2026-11-27).",
           "# Generated by convert_scores.py; edit the CSV and regenerate, or add rows by hand in the same form.",
           "# `model` is the canonical id from models.yaml; `as_of` is the source's date. See README.md.",
           "scores:"]
    for r in rows:
        out.append(f"  - model: {MODELS[r['model']][0]}")
        out.append(f"    benchmark: {_q(r['benchmark'])}")
        out.append(f"    score: {_number(r['score'])}")
        out.append(f"    unit: {r['unit']}")
        if r["setting"]:
            out.append(f"    setting: {_q(r['setting'])}")
        out.append(f"    reported_by: {r['reported_by']}")
        out.append(f"    source: {_q(r['source'])}")
        out.append(f"    as_of: {_q(r['source_date'])}")
        if r["note"]:
            out.append(f"    note: {_q(r['note'])}")
    (HERE / "scores.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")

    out = ["# One canonical id per model, linking the score sheet, hardware/models.yaml and the API price sheets.",
           "# api_models: exact (provider, model) ids of the price sheets (from genai-prices 0.2.3) that sell this",
           "# very model per token. Only exact checkpoints; see README.md for what was left out and why.",
           "models:"]
    for name in sorted(MODELS, key=lambda n: MODELS[n][0]):
        if name not in names:
            continue
        model_id, hardware_id, refs = MODELS[name]
        out.append(f"  - id: {_q(model_id)}")
        out.append(f"    name: {_q(name)}")
        out.append(f"    kind: {kinds[name]}")
        out.append(f"    open_weight_model: {_q(hardware_id) if hardware_id else 'null'}")
        if refs:
            out.append("    api_models:")
            for provider, model in refs:
                out.append(f"      - {{provider: {_q(provider)}, model: {_q(model)}}}")
        else:
            out.append("    api_models: []")
        if model_id in NOTES:
            out.append(f"    note: {_q(NOTES[model_id])}")
    (HERE / "models.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} scores and {len(names)} models")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/quality/scores.csv")
