"""The tool's version, in a module of its own.

Why not only in `tco/__init__.py`: the package root also offers `tco.evaluate` (the whole pipeline),
so a low layer (the workbook's About sheet, the CLI's --version) that imported the root would depend
on everything above it. This module imports nothing.
"""

__version__ = "0.1.0"
