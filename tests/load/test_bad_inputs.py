"""Every bad input in tests/data/bad/ ends in exit 2 and the exact located message, never a traceback.

The golden messages live in tests/data/bad/expected.yaml (reviewed by hand: they are what users
read). Inputs that could exhaust time or memory are also run in a subprocess with generous guards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tco.cli import main
from tco.load import yaml_source

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def in_bad_folder(monkeypatch):
    monkeypatch.chdir(BAD)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_bad_input_gives_its_golden_message(case, in_bad_folder, capsys):
    code = main(list(case["argv"]))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == case["exit"]
    if "stderr" in case:
        assert err.splitlines() == case["stderr"].splitlines()
    else:
        assert err.splitlines()[-1].startswith(case["stderr_last_line_starts_with"])


def test_the_corpus_covers_every_file_in_it():
    """A file added to the corpus without a golden message would test nothing."""
    named = {arg for c in CASES for arg in c["argv"]}
    files = {str(p.relative_to(BAD)) for p in BAD.rglob("*.yaml") if p.name != "expected.yaml"}
    folders = {str(p.parent.relative_to(BAD)) for p in BAD.glob("*/*/*.yaml")}
    unused = {f for f in files if f not in named and str(Path(f).parent) not in named} - {"scenario/valid.yaml"}
    assert not unused, f"corpus files without a case in expected.yaml: {sorted(unused)}"
    assert folders & named


def test_the_valid_twin_of_the_corpus_runs(in_bad_folder, capsys):
    """The bad files are one-line edits of scenario/valid.yaml: it must itself be valid."""
    assert main(["run", "scenario/valid.yaml", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["option"] for r in records} == {"gpt", "llama"}


def _write_big_yaml(path: Path, megabytes: int) -> None:
    line = b"- {id: filler, value: 12345.678, note: padding padding padding padding}\n"
    with path.open("wb") as f:
        f.write(b"filler:\n")
        f.write(line * (megabytes * 2**20 // len(line) + 1))


def test_a_60_mb_file_is_refused_before_it_is_read(tmp_path, monkeypatch, capsys):
    big = tmp_path / "big.yaml"
    _write_big_yaml(big, 60)
    monkeypatch.chdir(tmp_path)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed; it should have been refused by its size")

    monkeypatch.setattr(yaml_source, "parse_yaml", no_parsing)
    monkeypatch.setattr(Path, "read_bytes", no_parsing)
    assert main(["validate", "big.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "big.yaml: file is too large (60 MiB; the limit is 8 MiB)"


_GUARD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from tco.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
elapsed = time.perf_counter() - start
# VmHWM belongs to this address space; ru_maxrss would carry over the parent's peak across exec
peak_kib = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"RESULT {{code}} {{elapsed:.3f}} {{peak_kib}}", file=sys.stderr)
"""

_SET_ALIAS_BOMB = "workload.requests_per_day=[&a [1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], " \
                  "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c], [*d,*d,*d,*d,*d,*d,*d,*d,*d]]"


@pytest.mark.parametrize("argv", [
    ["validate", "scenario/alias_bomb.yaml"],
    ["validate", "scenario/deep_nesting.yaml"],
    ["validate", "scenario/binary_junk.yaml"],
    ["validate", "BIG"],
    ["run", "scenario/valid.yaml", "--set", _SET_ALIAS_BOMB],
    ["run", "scenario/valid.yaml", "--set", "workload.requests_per_day=" + "[" * 20000],
], ids=["alias bomb", "deep nesting", "binary", "60 MB file", "--set alias bomb", "--set deep nesting"])
def test_hostile_inputs_stay_within_time_and_memory_guards(argv, tmp_path):
    """Guards, not timings: a regression here means seconds and gigabytes, not milliseconds."""
    if "BIG" in argv:
        _write_big_yaml(tmp_path / "big.yaml", 60)
        argv = [str(tmp_path / "big.yaml") if a == "BIG" else a for a in argv]
    done = subprocess.run([sys.executable, "-c", _GUARD.format(root=str(ROOT)), *argv], cwd=BAD,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in done.stderr
    code, seconds, peak_kib = done.stderr.strip().splitlines()[-1].split()[1:]
    assert int(code) == 2
    # The run loads the catalogs (about 1 s); a hostile input that got through would take far longer.
    assert float(seconds) < 10, done.stderr
    assert int(peak_kib) < 1024 * 1024, done.stderr


_LONG_INTEGER = "9" * 5000
"""More digits than Python reads as an integer (4,300): `int()` raises a ValueError that is no YAML error."""


@pytest.mark.parametrize("where", ["scenario", "--set", "--vary", "price sheet"])
def test_an_integer_too_long_for_python_is_a_located_problem_not_a_traceback(where, tmp_path, capsys):
    valid = (BAD / "scenario" / "valid.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(valid, encoding="utf-8")
    if where == "scenario":
        scenario.write_text(valid.replace("requests_per_day: 20000", f"requests_per_day: {_LONG_INTEGER}"), encoding="utf-8")
        assert _LONG_INTEGER in scenario.read_text(encoding="utf-8")
        argv = ["validate", str(scenario)]
    elif where == "--set":
        argv = ["run", str(scenario), "--set", f"workload.requests_per_day={_LONG_INTEGER}"]
    elif where == "--vary":
        argv = ["sweep", str(scenario), "--vary", f"workload.requests_per_day=1000,{_LONG_INTEGER}"]
    else:
        sheets = tmp_path / "prices"
        sheets.mkdir()
        (sheets / "openai.yaml").write_text(
            'schema_version: 1\nid: openai\nname: OpenAI\nsource: "https://openai.com/api/pricing/"\nas_of: "2026-11-27"\n'
            f"models:\n  - id: gpt-4.1-mini\n    prices:\n      - input_usd_per_million_tokens: {_LONG_INTEGER}\n"
            "        output_usd_per_million_tokens: 1.6\n", encoding="utf-8")
        argv = ["validate", "--pricing-dir", str(sheets), str(scenario)]
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bug in llm-tco" not in err
    assert code == 2
    if where == "scenario":
        assert f"{scenario}:4: scenarios[0].workload.requests_per_day: a number written with 5,000 characters" in err
    if where == "price sheet":
        assert "openai.yaml:9: models[0].prices[0].input_usd_per_million_tokens: a number written with 5,000 characters" in err
