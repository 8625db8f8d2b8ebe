"""`tco`: the command line. Each sub-command lives in `tco/commands/<name>.py`.

Why a registry of small modules: `tco --help` must stay fast, so a command module imports
only argparse at the top and loads polars, openpyxl or textual inside its `run`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from tco.version import __version__
from tco.errors import ExitCode, TcoUserError

COMMANDS = (
    "run", "sweep", "breakeven", "sensitivity", "uncertainty", "diff", "explain", "export", "validate", "schema",
    "hardware", "models", "offers", "pricing", "throughput", "measurements", "match", "bench", "tui",
)
"""Sub-command modules, in the order `tco --help` lists them."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with a one-line message, as for a bad file
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(ExitCode.BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tco",
        description="Self-host an open-weight LLM or pay a closed API per token? Total cost of ownership, compared.",
        epilog="With no command, `tco` opens the terminal UI on the bundled examples.",
    )
    parser.add_argument("--version", action="version", version=f"llm-tco {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"tco.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"tco.commands.{name}":
                continue
            raise
        module.register(sub)
    _add_wide(sub)
    return parser


def _add_wide(subparsers) -> None:
    """`--wide` on every command: tables show every column in full instead of fitting the terminal."""
    for name, parser in subparsers.choices.items():
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                _add_wide(action)
        elif name != "tui" and not any("--wide" in a.option_strings for a in parser._actions):
            parser.add_argument("--wide", action="store_true",
                                help="tables: every column in full (default: fit the terminal width, $COLUMNS)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:
        argv = ["tui"] if _has_command(parser, "tui") else ["run"]
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return ExitCode.BAD_INPUT
    from tco.report.table import set_wide

    set_wide(getattr(args, "wide", False))
    try:
        return int(args.func(args) or 0)
    except TcoUserError as e:
        for problem in e.problems:
            print(problem.render(), file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        traceback.print_exc()
        print(f"\nThis is a bug in llm-tco {__version__}, not a problem with your input. Please report it with the lines above.", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR


def _has_command(parser: argparse.ArgumentParser, name: str) -> bool:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return name in action.choices
    return False


if __name__ == "__main__":
    sys.exit(main())
