"""A bad `workload.timezone` is reported at its own key and line, not at the `workload:` mapping above it."""

from __future__ import annotations

from pathlib import Path

from tco.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "tco" / "examples" / "customer-support.yaml"


def test_an_unknown_timezone_names_the_timezone_field_and_its_line(tmp_path, capsys):
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, 1) if row.strip().startswith("timezone:"))
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    lines[line - 1] = f"{indent}timezone: Mars/Olympus"
    path = tmp_path / "tz.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", str(path), "--no-breakeven"]) == 2
    err = capsys.readouterr().err
    assert f"tz.yaml:{line}: scenarios[0].workload.timezone: not an IANA time zone name" in err
    assert "Mars/Olympus" in err


def test_a_real_timezone_is_accepted(tmp_path, capsys):
    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "tz.yaml"
    path.write_text(text.replace("timezone: UTC", "timezone: Europe/Paris", 1), encoding="utf-8")
    assert "Europe/Paris" in path.read_text()
    assert main(["run", str(path), "--no-breakeven", "--format", "json"]) == 0
