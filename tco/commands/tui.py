"""`tco tui [FILE...]` (and `tco` alone): the terminal UI on scenario files or the bundled examples."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser("tui", help="open the terminal UI (the default with no command)",
                       description="Compare, edit and explain scenarios interactively. With no FILE, the bundled examples.")
    p.add_argument("files", nargs="*", metavar="FILE", help="scenario files (default: the bundled examples)")
    p.add_argument("--hardware-dir", action="append", default=[], metavar="DIR", help="extra hardware catalog folder")
    p.add_argument("--pricing-dir", action="append", default=[], metavar="DIR", help="your own price sheets")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the run's date: the start of scenarios without finance.start_date (default: today); a scenario "
                   "with one pays the prices in force from its own start")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from tco.commands.run import as_of
    from tco.tui.app import TcoApp

    app = TcoApp(args.files, today=as_of(args), hardware_dirs=[Path(d) for d in args.hardware_dir],
                 pricing_dirs=[Path(d) for d in args.pricing_dir])
    app.run()
    return int(app.return_code or 0)
