"""Generated files must match what the code generates today (editors read them)."""

from __future__ import annotations

from pathlib import Path

from tco.commands.schema import schema_json

ROOT = Path(__file__).resolve().parents[1]


def test_the_scenario_schema_next_to_the_examples_is_current():
    committed = (ROOT / "tco" / "examples" / "scenario.schema.json").read_text()
    assert committed == schema_json("scenario"), "run: tco schema > tco/examples/scenario.schema.json"


def test_tco_schema_prints_the_committed_catalog_schemas_byte_for_byte(capsys):
    """Regenerating a committed schema with the CLI, the natural way, gives the committed bytes (one generator:
    `tco.model.base.json_schema_text`); the hardware one once came from a second generator and differed in key order."""
    from tco.cli import main

    for kind, committed in (("hardware", ROOT / "hardware" / "schema" / "hardware.schema.json"),
                            ("pricing", ROOT / "pricing" / "schema" / "provider.schema.json"),
                            ("scenario", ROOT / "tco" / "examples" / "scenario.schema.json")):
        assert main(["schema", kind]) == 0
        assert capsys.readouterr().out == committed.read_text(encoding="utf-8"), f"run: tco schema {kind} > {committed.relative_to(ROOT)}"


def test_every_bundled_example_points_editors_at_the_schema():
    for path in (ROOT / "tco" / "examples").glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=scenario.schema.json"), path.name


def test_the_formula_list_in_the_docs_is_rendered_from_the_engine():
    from tco.report.formulas_doc import formulas_markdown

    assert (ROOT / "docs" / "formulas.md").read_text() == formulas_markdown(), "run: python -m tco.report.formulas_doc > docs/formulas.md"


def test_the_readme_quotes_the_throughput_accuracy_of_the_methodology_doc():
    import re

    pattern = re.compile(r"Model-only median absolute percentage error: \*\*([\d.]+) %\*\*, P90: \*\*([\d.]+) %\*\*")
    readme = pattern.search((ROOT / "README.md").read_text().replace("\n  ", " "))
    doc = pattern.search((ROOT / "docs" / "throughput.md").read_text())
    assert readme and doc and readme.groups() == doc.groups()


def test_the_fitted_constants_table_in_the_throughput_doc_is_generated_from_the_engine():
    from tco.report.throughput_doc import with_current_table

    text = (ROOT / "docs" / "throughput.md").read_text()
    assert text == with_current_table(text), "run: python -m tco.report.throughput_doc docs/throughput.md"


def test_the_generated_constants_table_shows_the_values_worked_by_hand():
    # 0.6096 to three figures is 0.610 (the zero kept); 3.369e-05 s is 33.7 us; 0.06836 s is 68.4 ms (ms from 1 ms);
    # 3.068e11 bytes/s is 307 GB/s.
    from tco.report.throughput_doc import constants_table_markdown

    table = constants_table_markdown()
    assert "| `matmul_efficiency` | 0.610 (shared) |" in table
    assert "| `layer_overhead_s` | 33.7 us |" in table
    assert "| `request_latency_s` | 68.4 ms |" in table
    assert "| `nvlink_allreduce_bytes_per_s` | 307 GB/s (shared) |" in table  # NVIDIA's per-generation links: measured now
    # 17 plain (fused_allreduce_saving_s, arm_host_slowdown added; amd_compute_share replaced by measured ceilings) +
    # memory, matmul and NVLink shared (the 3 NVLink generations replaced by measured all-reduce figures)
    assert "20 fitted values" in table
    assert "| `fused_allreduce_saving_s` | 11.6 us |" in table  # 1.164e-05 s
    assert "| `arm_host_slowdown` | 1.50 |" in table and "amd_compute_share" not in table  # 1.5


def test_the_generators_answer_help_and_refuse_a_stray_argument_without_writing(capsys):
    """`python -m tco.bench.regime_errors --help` ignored its arguments and rewrote regimes.py and docs/throughput.md;
    `serving_accuracy_doc --help` took `--help` for the page to rewrite."""
    import pytest

    from tco.bench import regime_errors, serving_accuracy_doc

    watched = [regime_errors.TARGET, regime_errors.DOC]
    before = [(p.stat().st_mtime_ns, p.read_bytes()) for p in watched]
    for main, argv, code in ((regime_errors.main, ["--help"], 0), (regime_errors.main, ["docs/throughput.md"], 2),
                             (serving_accuracy_doc.main, ["--help"], 0)):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == code
    assert "usage: python -m tco.bench.regime_errors" in capsys.readouterr().out
    assert [(p.stat().st_mtime_ns, p.read_bytes()) for p in watched] == before
