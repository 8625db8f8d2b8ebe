"""llm-tco: self-host an open-weight model or pay a closed API per token?

Importing `tco` stays cheap (no polars, textual or openpyxl) so that `tco --help` is fast;
`tco.evaluate` is loaded on first use.
"""

from tco.version import __version__

__all__ = ["__version__", "evaluate"]


def __getattr__(name: str):
    if name == "evaluate":
        from tco.api import evaluate

        return evaluate
    raise AttributeError(name)
