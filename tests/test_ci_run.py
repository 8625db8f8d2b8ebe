"""CI runs what the README tells people to run: the quick start's test command, verbatim, first; then the slow tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"To run the test suite:\s*```bash\n(.+?)\n```", readme)
    assert found, "the README's quick start has no test command block after 'To run the test suite:'"
    return found.group(1)


def test_ci_runs_the_readme_test_command_verbatim_before_anything_else_calls_pytest():
    command = readme_test_command()
    assert "python -m pytest -q" in command
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    pytest_lines = [line for line in lines if "pytest" in line and not line.startswith("#") and "PYTEST_ADDOPTS" not in line]
    assert pytest_lines[0] == command


def test_the_default_run_leaves_out_slow_tests_and_ci_runs_them_as_a_second_step():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"""^addopts = ".*-m 'not slow'.*"$""", pyproject, re.MULTILINE)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q -m slow" in ci
    assert '"$status" -eq 5' in ci  # "no tests collected" is not a failure of the slow step
