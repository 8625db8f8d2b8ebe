"""A plain `pip install .` gives a `tco` that finds its bundled data, outside the checkout.

Why not `pip install` from the registry in a fresh venv: tests must not need the network. The fresh
venv gets only our wheel (no deps, no index); the already-installed dependencies are made visible
through a .pth file placed after its own site-packages, so `tco` itself can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_built_wheel_runs_offline_with_its_bundled_catalogs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(dist)], check=True, cwd=tmp_path)
    wheel = next(dist.glob("llm_tco-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "zz_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    # the installed wheel, not a checkout on PYTHONPATH, must be what runs
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    tco = env_dir / "bin" / "tco"

    where = subprocess.run([str(python), "-c", "import tco, tco.paths; print(tco.__file__); print(tco.paths.bundled_dir('pricing'))"],
                           check=True, capture_output=True, text=True, cwd=work, env=env).stdout.split()
    assert where[0].startswith(str(env_dir)), "tco must be imported from the installed wheel"
    assert where[1].startswith(str(env_dir)) and where[1].endswith("_bundled/pricing")

    assert subprocess.run([str(tco), "--help"], capture_output=True, text=True, cwd=work, env=env).returncode == 0
    validate = subprocess.run([str(tco), "validate"], capture_output=True, text=True, cwd=work, env=env)
    assert validate.returncode == 0, validate.stderr
    run = subprocess.run([str(tco), "run", "--format", "json", "--as-of", "2026-11-27"], capture_output=True, text=True, cwd=work, env=env)
    assert run.returncode == 0, run.stderr
    records = json.loads(run.stdout)
    assert {r["scenario"] for r in records} >= {"customer-support", "coding-agent", "batch-extraction", "regulated"}
    prices = json.loads(subprocess.run([str(tco), "pricing", "list", "--format", "json"], capture_output=True, text=True,
                                       cwd=work, env=env, check=True).stdout)
    assert len({p["provider"] for p in prices}) >= 40
