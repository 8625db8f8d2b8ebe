"""`tco pricing import` over an existing sheet that is not UTF-8: a located problem, and under --force a backup.

Why: it raised UnicodeDecodeError (a traceback), even with --force, which exists to replace an unreadable sheet.
"""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("genai_prices")

from tco.errors import TcoUserError  # noqa: E402
from tco.load import pricing_import  # noqa: E402
from tco.model.pricing import ApiProvider  # noqa: E402

AS_OF = dt.date(2026, 11, 1)
OLD = "schema_version: 1\nid: acme\nname: Acmé AI\n".encode("latin-1")  # é as the single byte 0xE9


@pytest.fixture
def one_provider(monkeypatch):
    """The import limited to one small provider, so the test does not convert all of genai-prices."""
    provider = ApiProvider.model_validate({
        "schema_version": 1, "id": "acme", "name": "Acme AI", "source": "https://acme.example/pricing", "as_of": "2026-11-01",
        "models": [{"id": "acme-large", "prices": [{"input_usd_per_million_tokens": "1.5"}]}]})
    monkeypatch.setattr(pricing_import, "build_providers", lambda as_of: [provider])


def test_a_latin1_sheet_stops_the_import_with_its_line_and_nothing_is_written(tmp_path, one_provider):
    sheet = tmp_path / "acme.yaml"
    sheet.write_bytes(OLD)
    with pytest.raises(TcoUserError) as caught:
        pricing_import.run_import(tmp_path, force=False, as_of=AS_OF)
    said = {(p.file, p.line, p.message) for p in caught.value.problems}
    assert (str(sheet), 3, "is not UTF-8 text") in said
    assert (str(sheet), None, "the existing sheet is unreadable; fix it or pass --force to replace it") in said
    assert sheet.read_bytes() == OLD


def test_force_replaces_a_latin1_sheet_after_keeping_it_in_the_backup(tmp_path, one_provider):
    sheet = tmp_path / "acme.yaml"
    sheet.write_bytes(OLD)
    report = pricing_import.run_import(tmp_path, force=True, as_of=AS_OF)
    assert report.written == ["acme"]
    assert (report.backup_dir / "acme.yaml").read_bytes() == OLD
    assert 'id: "acme-large"' in sheet.read_text(encoding="utf-8")
