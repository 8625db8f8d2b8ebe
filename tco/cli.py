"""`tco`: the command line. Each sub-command lives in `tco/commands/<name>.py`.

Why a registry of small modules: `tco --help` must stay fast, so a command module imports
only argparse at the top and loads polars, openpyxl or textual inside its `run`.
"""

from __future__ import annotations

import argparse
import importlib
import os
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
    real_stdout = sys.stdout
    if real_stdout is not None:
        sys.stdout = _GuardedStdout(real_stdout)
    try:
        code = int(args.func(args) or 0)
        if sys.stdout is not None:
            sys.stdout.flush()  # a buffered tail that cannot be written fails here, not silently at exit
        return code
    except TcoUserError as e:
        for problem in e.problems:
            print(problem.render(), file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _discard_stdout(real_stdout)
        return 0
    except StdoutWriteFailed as e:
        print(f"tco: could not write output: {e.error}", file=sys.stderr)
        _discard_stdout(real_stdout)
        return ExitCode.WRITE_FAILED
    except Exception:
        traceback.print_exc()
        print(f"\nThis is a bug in llm-tco {__version__}, not a problem with your input. Please report it with the lines above.", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    finally:
        if isinstance(sys.stdout, _GuardedStdout):
            sys.stdout = real_stdout


class StdoutWriteFailed(Exception):
    """Standard output refused a write (disk full, quota, I/O error): the user's output, not a bug (exit 3)."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


class _GuardedStdout:
    """`sys.stdout` while a command runs: a failed write raises `StdoutWriteFailed` instead of a bare OSError.

    Why here and not in each command: every command prints through `sys.stdout` (print, csv, json),
    and only this wrapper knows that the OSError came from the output stream rather than from a
    bug elsewhere. A closed pipe stays a BrokenPipeError (`tco run | head` is fine, exit 0).
    """

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as e:
            raise StdoutWriteFailed(e) from e

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        try:
            return self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise StdoutWriteFailed(e) from e

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _discard_stdout(stream) -> None:
    """Point file descriptor 1 at the null device, so the interpreter's own flush at exit cannot fail again.

    Why: the bytes that did not fit are still buffered; without this Python prints
    "Exception ignored ... OSError" at exit and changes the exit code (the recipe in Python's
    documentation for SIGPIPE).
    """
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed at exit
    try:
        os.dup2(null, fd)
    except OSError:
        pass
    finally:
        os.close(null)


def _has_command(parser: argparse.ArgumentParser, name: str) -> bool:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return name in action.choices
    return False


if __name__ == "__main__":
    sys.exit(main())
