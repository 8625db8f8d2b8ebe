"""Names in the workbook: defined names for inputs, sheet names, and user text made inert.

The naming rule (also written on the About sheet): an input that belongs to the whole scenario
(workload, finance) is named `<field>__<scenario>`; an input of one option is named
`<field>__<scenario>__<option>`. `<scenario>` and `<option>` are the ids in lower case with every
character other than a-z and 0-9 turned into `_` (Excel names cannot hold `-`, `:` or `/`, and
are case-insensitive), cut to 40 characters, and numbered `_2`, `_3` ... if two ids meet.
Why global names and not sheet-scoped ones: the formula evaluators used to check the workbook
(and some spreadsheet tools) resolve only workbook-level names.
"""

from __future__ import annotations

import re

SLUG_CHARS = 40
SHEET_NAME_CHARS = 31
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\']")
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def slug(text: str) -> str:
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:SLUG_CHARS].rstrip("_")
    return out or "x"


class Slugs:
    """Unique slugs within one namespace (the scenarios of a workbook, or the options of a scenario)."""

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, key: str) -> str:
        if key in self._by_key:
            return self._by_key[key]
        base = slug(key)
        candidate, n = base, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{base}_{n}"
        self._taken.add(candidate)
        self._by_key[key] = candidate
        return candidate


def scenario_input_name(field: str, scenario_slug: str) -> str:
    return f"{field}__{scenario_slug}"


def option_input_name(field: str, scenario_slug: str, option_slug: str) -> str:
    return f"{field}__{scenario_slug}__{option_slug}"


class SheetNames:
    """Sheet names are at most 31 characters, unique ignoring case, and cannot hold []:*?/\\'."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken = {r.lower() for r in reserved}

    def __call__(self, wanted: str) -> str:
        base = _FORBIDDEN_IN_SHEET_NAME.sub("_", wanted).strip() or "Sheet"
        candidate, n = base[:SHEET_NAME_CHARS], 1
        while candidate.lower() in self._taken:
            n += 1
            suffix = f" ({n})"
            candidate = base[:SHEET_NAME_CHARS - len(suffix)] + suffix
        self._taken.add(candidate.lower())
        return candidate


def quote_sheet(name: str) -> str:
    """A sheet name as formulas write it: always quoted (quotes inside are doubled)."""
    return "'" + name.replace("'", "''") + "'"


def is_dangerous_text(text: str) -> bool:
    """Text a spreadsheet could take for a formula (or that CSV injection uses)."""
    return text.startswith(_DANGEROUS_START)


URL_MAX_CHARS = 2000
"""Excel refuses hyperlink addresses longer than 2,079 characters."""
_URL = re.compile(r"https?://[^\s\"<>\\^`{|}]+", re.IGNORECASE)


def safe_url(text: str) -> str | None:
    """`text` when it is one plain http(s) web address (a cell may link to it), else None.

    Why so strict: the address comes from data files and scenario files; only a web page may open
    from a click (no `file:`, `javascript:` or other schemes, no spaces or quotes, no host-less URL)."""
    from urllib.parse import urlsplit

    text = text.strip()
    if len(text) > URL_MAX_CHARS or not _URL.fullmatch(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
_GITHUB_FILE = re.compile(r"github\.com/([\w.-]+)/([\w.-]+) (\S+) @([0-9a-f]{7,40})\b")


def urls_in(text: str) -> list[str]:
    """The safe web addresses a source text names, in order: written http(s) URLs, and GitHub files
    cited as `github.com/<owner>/<repo> <path> @<commit>` (linked to that file at that commit)."""
    found = []
    for m in _GITHUB_FILE.finditer(text):
        found.append((m.start(), f"https://github.com/{m.group(1)}/{m.group(2)}/blob/{m.group(4)}/{m.group(3).lstrip('/')}"))
    for m in _URL_IN_TEXT.finditer(text):
        found.append((m.start(), m.group(0).rstrip(".,;:)]")))
    out = []
    for _, url in sorted(found):
        url = safe_url(url)
        if url and url not in out:
            out.append(url)
    return out
