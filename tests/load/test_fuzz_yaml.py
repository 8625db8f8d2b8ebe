"""Random mutations of real files never make the YAML loader raise anything but TcoUserError.

Byte flips, deletions, duplications and inserted tabs, colons, anchors and aliases on the bundled
examples, catalogs and the bad-input corpus. The default run is three thousand cases; the slow
one many more.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tco.errors import TcoUserError
from tco.load.scenarios import parse_scenarios_text
from tco.load.yaml_source import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
INSERTS = [b"\t", b":", b": ", b"&a ", b"*a", b"<<: *a\n", b"- ", b"[", b"{", b"}", b"]", b"!!python/object ", b"\n",
           b"  ", b"'", b'"', b"#", b"%YAML 1.1\n", b"---\n", b"\xff", b"\xc3", b".nan", b"1e999", b"? "]


def _seeds() -> list[tuple[str, bytes]]:
    files = sorted((ROOT / "tco" / "examples").glob("*.yaml"))
    files += sorted(p for p in (ROOT / "tests" / "data" / "bad").rglob("*.yaml") if not p.is_symlink())  # the symlink loop case is no text to mutate
    files += [ROOT / "hardware" / "gpus.yaml", ROOT / "pricing" / "anthropic.yaml"]
    out = []
    for f in files:
        data = f.read_bytes()
        if f.name != "expected.yaml" and len(data) < 64_000:
            out.append((str(f.relative_to(ROOT)), data))
    return out


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            buf.extend(rng.choice(INSERTS))
            continue
        at = rng.randrange(len(buf))
        what = rng.randrange(5)
        if what == 0:
            buf[at] = rng.randrange(256)
        elif what == 1:
            del buf[at:at + rng.randint(1, 40)]
        elif what == 2:
            end = min(len(buf), at + rng.randint(1, 200))
            buf[at:at] = buf[at:end] * rng.randint(1, 3)
        else:
            buf[at:at] = rng.choice(INSERTS)
    return bytes(buf)


def _load(data: bytes, name: str) -> None:
    """What every loader does with bytes: decode (as read_text does), parse, validate as a scenario."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # read_text turns this into a TcoUserError; tested with the corpus
    try:
        parse_yaml(text, name)
        parse_scenarios_text(text, name)
    except TcoUserError as e:
        assert e.problems and all(p.file == name for p in e.problems), e.problems


def _fuzz(cases: int, seed: int) -> None:
    rng = random.Random(seed)
    seeds = _seeds()
    for i in range(cases):
        name, original = rng.choice(seeds)
        mutated = _mutate(original, rng)
        try:
            _load(mutated, name)
        except Exception as e:  # pragma: no cover - the message says how to reproduce
            raise AssertionError(f"case {i} (seed {seed}, from {name}) raised {type(e).__name__}: {e}\n{mutated[:400]!r}") from e


def test_three_thousand_mutations_give_only_user_errors():
    """Everyday a sample (2 s); the slow step runs 100,000 more."""
    _fuzz(3_000, seed=20261127)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_many_more_mutations_give_only_user_errors(seed):
    _fuzz(20_000, seed=seed)
