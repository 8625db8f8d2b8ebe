"""Every numeric input of the field map, given a hostile value, ends in exit 2 or a warning, never a bug.

Issue 19, acceptance: for every numeric field in tco.engine.fields.FIELDS, NaN, +-inf, a boolean,
0, a subnormal, 1e308 and a negative value each give a located error (exit 2), exit 4 for a
configuration that cannot run, or a run (with warnings) - never exit 1. Driven through the loader
and the engine directly (the same code `tco run --set` goes through): the catalog is loaded once,
so some 500 evaluations stay within seconds.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tco.engine.fields import FIELDS
from tco.errors import TcoUserError
from tco.load.catalog import load_catalog, providers_of
from tco.load.scenarios import load_scenario_files
from tco.paths import examples_dir
from tco.run import evaluate_loaded

EXAMPLE = examples_dir() / "growing-product.yaml"
"""Has an API, a self-hosted and a hybrid option: every scope of the field map has an owner."""
OWNER_OF_SCOPE = {"workload": "workload", "finance": "finance", "api": "options.gpt-4.1",
                  "self-hosted": "options.llama-3.3-70b-lambda", "hybrid": "options.hybrid-overflow",
                  "api-provisioned": "options.gpt-4.1-ptu"}
FILE_OF_SCOPE = {"api-provisioned": examples_dir() / "commitments.yaml"}
"""Scopes the growing-product example has no option of."""
HOSTILE_VALUES = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf", "bool": "yes", "zero": "0",
                  "subnormal": "5e-324", "huge": "1e308", "negative": "-3"}
NUMERIC = [f for f in FIELDS if f.ui in ("number", "whole")]


@pytest.fixture(scope="module")
def catalog():
    loaded = load_scenario_files([EXAMPLE, *FILE_OF_SCOPE.values()])
    return load_catalog(providers_of(loaded.scenarios))


def _scope_name(f) -> str:
    return getattr(f.scope, "value", f.scope) if not isinstance(f.scope, str) else f.scope


def test_the_field_map_has_numeric_fields_in_every_scope():
    assert {_scope_name(f) for f in NUMERIC} <= set(OWNER_OF_SCOPE)
    assert len(NUMERIC) > 20


@pytest.mark.parametrize("f", NUMERIC, ids=[f"{_scope_name(f)}.{'.'.join(f.path)}" for f in NUMERIC])
def test_a_hostile_value_is_refused_or_warned_never_a_bug(f, catalog):
    owner = OWNER_OF_SCOPE[_scope_name(f)]
    example = FILE_OF_SCOPE.get(_scope_name(f), EXAMPLE)
    for label, raw in HOSTILE_VALUES.items():
        override = f"{owner}.{'.'.join(f.path)}={raw}"
        try:
            loaded = load_scenario_files([example], [override])
            evaluate_loaded(loaded, catalog, dt.date(2026, 11, 1), with_breakeven=False)
        except TcoUserError as e:
            assert int(e.exit_code) in (2, 4), (override, e)
            assert all(p.file for p in e.problems), (override, e)
        except Exception as e:  # a bug: exit 1 with a traceback
            pytest.fail(f"--set {override} ({label}) raised {type(e).__name__}: {e}")


def test_export_prints_the_warnings_run_prints(tmp_path, monkeypatch, capsys):
    """Issue 19: `export` used to write the workbook without the plausibility warnings of `run`."""
    from pathlib import Path

    from tco.cli import main

    monkeypatch.chdir(Path(__file__).parents[1] / "data" / "bad")
    assert main(["export", "warn/suspicious.yaml", "--xlsx", str(tmp_path / "out.xlsx")]) == 0
    err = capsys.readouterr().err
    assert "warn/suspicious.yaml:22: warning: scenarios[0].options[1].payment.gpu_usd_per_hour: 3000 looks too large" in err
    assert (tmp_path / "out.xlsx").is_file()
