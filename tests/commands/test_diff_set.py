"""`tco diff --set` on an option only one version has: set there, refused only when neither has it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "tco" / "examples" / "customer-support.yaml"
AS_OF = ["--as-of", "2026-11-27"]


def _without_claude(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    block = "      - kind: api\n        id: claude-haiku-4.5\n        provider: anthropic\n        model: claude-haiku-4-5\n"
    assert block in text
    path = tmp_path / "new.yaml"
    path.write_text(text.replace(block, ""), encoding="utf-8")
    return path


def test_a_set_on_an_option_the_new_version_removed_applies_to_the_old_one(tmp_path, capsys):
    new = _without_claude(tmp_path)
    assert main(["diff", str(EXAMPLE), str(new), "--format", "json", *AS_OF]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["diff", str(EXAMPLE), str(new), "--format", "json", *AS_OF,
                 "--set", "options.claude-haiku-4.5.negotiated_discount=0.5"]) == 0
    halved = json.loads(capsys.readouterr().out)

    def removed(records):
        return next(o for o in records[0]["options"] if o["option"] == "claude-haiku-4.5")

    assert removed(halved)["status"] == "removed"
    assert removed(halved)["total_old_usd"] * 2 == pytest.approx(removed(plain)["total_old_usd"], rel=1e-12)


def test_a_set_neither_version_has_is_refused_once(tmp_path, capsys):
    new = _without_claude(tmp_path)
    assert main(["diff", str(EXAMPLE), str(new), *AS_OF, "--set", "options.nope.negotiated_discount=0.5"]) == 2
    err = capsys.readouterr().err
    assert err.count("--set: options.nope.negotiated_discount: no scenario has this path") == 1


def test_an_option_the_new_version_excludes_is_said_so_not_unchanged(tmp_path, capsys):
    """Bug hunt: with `data_must_stay_on_own_infrastructure: true` in NEW the three API options left the ranking, and
    the diff listed them as unchanged (their costs did not move)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    volume = next(line for line in text.splitlines() if line.strip().startswith("requests_per_day:"))
    indent = volume[:len(volume) - len(volume.lstrip())]
    new = tmp_path / "new.yaml"
    new.write_text(text.replace(volume, f"{volume}\n{indent}data_must_stay_on_own_infrastructure: true", 1), encoding="utf-8")
    assert main(["diff", str(EXAMPLE), str(new), "--format", "json", *AS_OF]) == 0
    options = {o["option"]: o for o in json.loads(capsys.readouterr().out)[0]["options"]}
    apis = [o for o in options.values() if o["kind"] == "api"]
    assert apis and all(o["status"] == "changed" and o["excluded_old_reason"] is None and "own infrastructure" in o["excluded_new_reason"]
                        and o["total_delta_usd"] == 0 for o in apis)
    assert {o["status"] for o in options.values() if o["kind"] != "api"} == {"unchanged"}
    assert main(["diff", str(EXAMPLE), str(new), *AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.count("costs unchanged\n    now excluded: data must stay on own infrastructure") == len(apis), out
