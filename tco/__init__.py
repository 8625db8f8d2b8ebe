"""llm-tco: self-host an open-weight model or pay a closed API per token?

Importing `tco` stays cheap (no polars, pydantic, textual, openpyxl or yaml) so that `tco --help`
is fast; every name below is loaded on first use. (`tco.run` is the pipeline module, not a function:
`tco.evaluate_run` returns its `Run`.)

    import tco
    frame = tco.evaluate("my-scenario.yaml")      # or a dict, or a YAML string
    tco.explain("my-scenario.yaml", option="gpt-4.1-mini", quantity="total_cost_usd")
"""

from tco.version import __version__

__all__ = ["__version__", "evaluate", "explain", "evaluate_run", "OUTPUT_COLUMNS", "TcoUserError"]

_LAZY = {
    "evaluate": ("tco.api", "evaluate"),
    "explain": ("tco.api", "explain"),
    "evaluate_run": ("tco.api", "evaluate_run"),
    "OUTPUT_COLUMNS": ("tco.report.results", "OUTPUT_COLUMNS"),
    "TcoUserError": ("tco.errors", "TcoUserError"),
}
"""Public name -> (module, attribute), imported when first asked for."""


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'tco' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
