"""Issue 18 item 4 in the terminal UI, driven with Textual's Pilot: the option editor, Save-as, values
applied only when committed, charts after a theme change, the keymap file, the loading indicator.
The acceptance tests run by default; the heavier extra Pilot runs are marked slow (CI's second step).

Expected numbers come from the CLI path (`run_scenarios` with `--set` overrides) on the same file,
never from the UI itself.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable, Input

from tco.run import run_scenarios
from tco.tui.app import TcoApp
from tco.tui.screens.ask_path import AskPathScreen
from tco.tui.screens.compare import CompareScreen
from tco.tui.screens.confirm import ConfirmScreen
from tco.tui.screens.option_editor import OptionEditorScreen

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import TODAY, SID, engine_totals, open_app, settled, totals_on_screen, wait_for  # noqa: E402

pytestmark = pytest.mark.anyio
ASSUMPTION_LINE = "  monthly_growth: 0.03  # ASSUMPTION: 3 % a month, from the 2026 sales plan"


@pytest.fixture
def commented_file(scenario_file: Path) -> Path:
    """The test scenario with an ASSUMPTION comment, as users write them."""
    text = scenario_file.read_text()
    assert "  monthly_growth: 0.03\n" in text
    scenario_file.write_text(text.replace("  monthly_growth: 0.03\n", ASSUMPTION_LINE + "\n"))
    return scenario_file




def options_of(app) -> list[str]:
    return [o.id for o in app.screen.session.entries[0].scenario.options]


async def highlight(pilot, option_id: str) -> None:
    table = pilot.app.screen.query_one("#costs", DataTable)
    table.focus()
    table.cursor_coordinate = (table.get_row_index(option_id), 0)
    await pilot.pause()


async def set_field(pilot, widget_id: str, text: str) -> None:
    entry = pilot.app.screen.query_one(f"#{widget_id}", Input)
    entry.value = text
    await pilot.pause()


# ---------------------------------------------------------------- option editor
async def test_the_option_editor_changes_any_field_and_the_totals_equal_tco_run_with_set(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        await highlight(pilot, "llama-70b")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, OptionEditorScreen), what="editor open")
        editor = app.screen
        # payment, spares and operations were file-only before: every field of the field map has a row
        for widget_id in ("opt-payment-gpu_usd_per_hour", "opt-spare_replicas", "opt-operations-staff_fte",
                          "opt-payment-purchase_usd_per_gpu", "opt-operations-usd_per_kwh", "opt-note"):
            assert editor.query_one(f"#{widget_id}", Input)
        assert editor.query_one("#opt-payment-gpu_usd_per_hour", Input).value == "3"
        # a value the schema refuses is named and nothing changes
        await set_field(pilot, "opt-gpus_per_replica", "0")
        await pilot.press("enter")
        assert isinstance(app.screen, OptionEditorScreen)
        assert "must be at least 1" in str(editor.query_one("#editor-error").render())
        await set_field(pilot, "opt-gpus_per_replica", "2")
        await set_field(pilot, "opt-payment-gpu_usd_per_hour", "2.5")
        await set_field(pilot, "opt-spare_replicas", "1")
        await set_field(pilot, "opt-operations-staff_fte", "0.5")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.session.dirty
                       and settled(app, SID), what="edit applied")
        option = app.screen.session.entries[0].scenario.options[1]
        assert (option.payment.gpu_usd_per_hour, option.spare_replicas, option.operations.staff_fte) == (2.5, 1, 0.5)
        expected = engine_totals(scenario_file, ["options.llama-70b.payment.gpu_usd_per_hour=2.5",
                                                 "options.llama-70b.spare_replicas=1", "options.llama-70b.operations.staff_fte=0.5"])
        assert totals_on_screen(app) == pytest.approx(expected, rel=1e-12)
        assert expected["llama-70b"] != pytest.approx(engine_totals(scenario_file)["llama-70b"])  # the edit mattered


@pytest.mark.slow  # a second Pilot run of the editor or the form; the default suite keeps one of each
async def test_an_option_can_be_duplicated_deleted_and_added(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        await highlight(pilot, "llama-70b")
        await pilot.press("d")
        await wait_for(pilot, lambda: options_of(app) == ["gpt-4o-mini", "llama-70b", "llama-70b-copy"] and settled(app, SID),
                       what="duplicated")
        totals = totals_on_screen(app)
        assert totals["llama-70b-copy"] == totals["llama-70b"]  # the same option under another id costs the same
        await highlight(pilot, "gpt-4o-mini")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked before deleting")
        await pilot.press("y")
        await wait_for(pilot, lambda: options_of(app) == ["llama-70b", "llama-70b-copy"] and settled(app, SID), what="deleted")
        await highlight(pilot, "llama-70b")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")  # the first kind offered: api
        await wait_for(pilot, lambda: isinstance(app.screen, OptionEditorScreen), what="editor for the new option")
        await pilot.press("enter")  # no provider or model yet: refused, named
        assert "provider is required" in str(app.screen.query_one("#editor-error").render())
        await set_field(pilot, "opt-provider", "openai")
        await set_field(pilot, "opt-model", "gpt-4o-mini")
        await pilot.press("enter")
        await wait_for(pilot, lambda: options_of(app) == ["llama-70b", "llama-70b-copy", "new-api"] and settled(app, SID),
                       what="added")
        # the same list price as the deleted gpt-4o-mini option: the same total
        assert totals_on_screen(app)["new-api"] == pytest.approx(engine_totals(scenario_file)["gpt-4o-mini"], rel=1e-12)


# ---------------------------------------------------------------- save and save-as
@pytest.mark.slow  # everyday: test_session.py keeps comments on save, test_saving.py saves to a new path and names the Replace backup
async def test_save_as_writes_a_new_file_with_the_comments_and_asks_before_replacing_one(commented_file, tmp_path):
    other = tmp_path / "someone-elses.yaml"
    other.write_text("# not ours\n")
    app = TcoApp([commented_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        await highlight(pilot, "llama-70b")
        await pilot.press("d")
        await wait_for(pilot, lambda: len(options_of(app)) == 3, what="duplicated")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, AskPathScreen), what="asked for a name")
        app.screen.query_one("#path", Input).value = str(tmp_path / "copy.yaml")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "copy.yaml").exists(), what="saved as")
        # saving as an existing file asks; "no" leaves it alone
        await highlight(pilot, "llama-70b")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, AskPathScreen), what="asked for a name")
        app.screen.query_one("#path", Input).value = str(other)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked before replacing")
        assert "already exists" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await pilot.pause()
        assert other.read_text() == "# not ours\n"
    saved = (tmp_path / "copy.yaml").read_text()
    assert ASSUMPTION_LINE in saved and saved.startswith("# A small fixed scenario")
    assert "id: llama-70b-copy" in saved
    assert "# ASSUMPTION" in commented_file.read_text() and "llama-70b-copy" not in commented_file.read_text()
    assert engine_totals(tmp_path / "copy.yaml")["llama-70b-copy"] == pytest.approx(engine_totals(commented_file)["llama-70b"], rel=1e-12)


@pytest.mark.slow  # a second Pilot run of the editor or the form; the default suite keeps one of each
async def test_saving_a_file_changed_on_disk_since_it_was_opened_asks_first(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        await highlight(pilot, "llama-70b")
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen.session.dirty, what="edited")
        scenario_file.write_text(scenario_file.read_text() + "# edited elsewhere\n")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked")
        assert "changed on disk" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.session.dirty
    assert scenario_file.read_text().endswith("# edited elsewhere\n")


# ---------------------------------------------------------------- half-typed values
@pytest.mark.slow  # about 5 s; everyday, tests/tui/test_app.py asks before quitting or saving past a value typed but not applied
async def test_a_half_typed_value_is_never_evaluated(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, SID)
        before = totals_on_screen(app)
        generation = app.screen.generation
        entry = app.screen.query_one("#requests_per_day", Input)
        entry.focus()
        await pilot.pause()
        with entry.prevent(Input.Changed):
            entry.value = ""
        await pilot.press("4", "0", "k")  # on the way to `40k`, the field held `4` and `40`
        await pilot.pause(0.3)
        assert app.screen.generation == generation  # nothing was sent to the engine
        assert app.screen.session.entries[0].scenario.workload.requests_per_day == 20000
        assert entry.has_class("-pending") and "number" in str(app.screen.query_one("#error-requests_per_day").render())
        await pilot.press("enter")  # committing `40k` is refused: it is not a number
        await pilot.pause(0.3)
        assert app.screen.generation == generation and totals_on_screen(app) == before
        assert "Not applied" in str(app.screen.query_one("#error-requests_per_day").render())
        await pilot.press("backspace", "0", "0", "0", "enter")
        await wait_for(pilot, lambda: settled(app, SID) and app.screen.session.entries[0].scenario.workload.requests_per_day == 40000,
                       what="40000 applied")
        assert app.screen.generation == generation + 1  # one evaluation, of the committed value
        assert not entry.has_class("-pending")
        assert totals_on_screen(app) == pytest.approx(engine_totals(scenario_file, ["workload.requests_per_day=40000"]), rel=1e-12)


@pytest.mark.slow  # a second Pilot run of the editor or the form; the default suite keeps one of each
async def test_the_hourly_profile_is_edited_as_a_list_of_24_weights(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, SID)
        entry = app.screen.query_one("#hourly_profile", Input)
        entry.focus()
        entry.value = "1, 1, 1"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "24 hourly weights" in str(app.screen.query_one("#error-hourly_profile").render())
        weights = [1] * 8 + [4] * 10 + [1] * 6
        entry.value = " ".join(map(str, weights))
        await pilot.press("enter")
        await wait_for(pilot, lambda: settled(app, SID) and app.screen.session.entries[0].scenario.workload.hourly_profile is not None,
                       what="profile applied")
        assert app.screen.query_one("#peak_to_average", Input).disabled  # the engine ignores it with a profile
        profile = "[" + ",".join(map(str, weights)) + "]"
        assert totals_on_screen(app) == pytest.approx(engine_totals(scenario_file, [f"workload.hourly_profile={profile}"]), rel=1e-12)


# ---------------------------------------------------------------- charts
def _plain(renderable) -> str:
    return re.sub(r"\s+", " ", str(renderable))


@pytest.mark.slow  # 3-4 s; everyday, test_app.py switches the theme and test_snapshots.py draws the chart
async def test_the_cost_vs_volume_chart_survives_a_theme_change(scenario_file):
    from tco.tui.widgets.cost_charts import VolumeChart

    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, SID)
        app.screen.query_one("#costs").focus()
        await pilot.press("c")
        await pilot.pause(0.2)
        chart = app.screen.query_one("#volume-chart", VolumeChart)
        first = _plain(chart.render())
        assert "today 20,000" in first and "cannot be drawn" not in first
        await pilot.press("t")  # theme: the widget draws again
        await pilot.pause(0.2)
        assert _plain(chart.render()) == first  # the same picture, only the colours changed
        await pilot.resize_terminal(110, 34)  # a resize draws again too
        await pilot.pause(0.2)
        again = _plain(chart.render())
        assert "cannot be drawn" not in again and "today 20,000" in again
        assert _plain(chart.render()) == again


# ---------------------------------------------------------------- keymap
async def test_a_keymap_file_in_the_config_folder_remaps_keys_by_binding_id(scenario_file, tmp_path, monkeypatch):
    config = tmp_path / "xdg"
    (config / "llm-tco").mkdir(parents=True)
    (config / "llm-tco" / "keymap.yaml").write_text("# my keys\ntoggle-theme: f10\nexplian-cell: z\nconfirm-yes: j\n"
                                                    "save-scenario: ctrl+w\nform-next-field: tab\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        app.screen.query_one("#costs").focus()
        assert app.keymap.bindings == {"toggle-theme": "f10", "confirm-yes": "j", "save-scenario": "ctrl+w"}
        said = [str(n.message) for n in app._notifications]
        assert any("keymap.yaml:3: explian-cell: unknown binding id (did you mean `explain-cell`?)" in m for m in said)
        # the form's keys are active with the comparison screen's: tab would no longer leave the form
        assert any("keymap.yaml:6: form-next-field: `tab` is also `next-pane`'s" in m for m in said), said
        # a confirmation names the key that answers it now, and only that key does
        await highlight(pilot, "gpt-4o-mini")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked before deleting")
        assert str(app.screen.query_one("#yes").label) == "Delete (j)"
        await pilot.press("y")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("j")
        await wait_for(pilot, lambda: options_of(app) == ["llama-70b"] and settled(app, SID), what="deleted")
        assert any("ctrl+w saves the file without it" in str(n.message) for n in app._notifications)
        app.screen.query_one("#costs").focus()
        await pilot.press("t")
        assert app.theme == "textual-dark"  # `t` no longer toggles
        await pilot.press("f10")
        assert app.theme == "textual-light"
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        assert re.search(r"f10\s+Theme\s+\[toggle-theme\]", text)
        assert "keymap.yaml" in text


# ---------------------------------------------------------------- catalogs
async def test_a_slow_catalog_shows_a_loading_indicator_until_its_rows_arrive(scenario_file):
    from tco.tui.catalog_rows import VIEWS
    from tco.tui.screens.catalog import CatalogScreen

    release = threading.Event()

    def slow_rows():
        release.wait(30)
        return [(("x",), ["openai", "gpt-x", 1.0, 2.0, None, "2026-01-01"])]

    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        app.push_screen(CatalogScreen(VIEWS["api"], slow_rows, cursor_blink=False))
        await pilot.pause(0.2)
        table = app.screen.query_one("#catalog-table", DataTable)
        assert table.loading and "loading API prices" in str(app.screen.query_one("#catalog-status").render())
        release.set()
        await wait_for(pilot, lambda: app.screen.rows, what="rows")
        await pilot.pause()
        assert not table.loading and table.row_count == 1


# ---------------------------------------------------------------- layout and focus
LONG_ID = "llama-3.3-70b-on-two-h100-sxm-rented-on-demand"


@pytest.fixture
def long_names_file(scenario_file: Path) -> Path:
    scenario_file.write_text(scenario_file.read_text().replace("id: llama-70b", f"id: {LONG_ID}"))
    return scenario_file


async def test_at_80_by_24_the_option_name_and_its_total_stay_on_screen(long_names_file):
    app = TcoApp([long_names_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_app(pilot, SID)
        table = app.screen.query_one("#costs", DataTable)
        table.focus()
        await pilot.pause(0.2)
        columns = list(table.columns.values())
        keys = [str(c.key.value) for c in columns]
        assert keys[:3] == ["rank", "option", "total_cost_usd"]
        used = sum(c.get_render_width(table) for c in columns[:3])
        assert used <= table.scrollable_content_region.width, (used, table.scrollable_content_region.width)
        row = table.get_row(LONG_ID)
        assert row[1] == LONG_ID[:10] + "…" + LONG_ID[-9:]  # cut in the middle: ids differ at their end (a copy's -copy)
        assert row[2] == f"{engine_totals(long_names_file)[LONG_ID]:,.0f}"


@pytest.mark.slow  # about 4 s; everyday, the long-names table test above checks the totals column at a narrow size
async def test_at_60_by_20_the_sidebar_gives_way_to_the_totals_until_an_input_is_wanted(long_names_file):
    """Audit: at 60x20 the 33-column sidebar hid the total column; below 80 columns it shows only while focused."""
    app = TcoApp([long_names_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await open_app(pilot, SID)
        await pilot.pause(0.2)
        screen = app.screen
        table = screen.query_one("#costs", DataTable)
        assert app.focused is table and not screen.query_one("#sidebar").display
        columns = list(table.columns.values())
        assert [str(c.key.value) for c in columns[:3]] == ["rank", "option", "total_cost_usd"]
        used = sum(c.get_render_width(table) for c in columns[:3])
        assert used <= table.scrollable_content_region.width, (used, table.scrollable_content_region.width)
        await pilot.press("f3")  # the inputs come back when wanted
        await pilot.pause(0.2)
        assert screen.query_one("#sidebar").display and app.focused.id == "requests_per_day"
        await pilot.press("f4")
        await pilot.pause(0.2)
        assert app.focused is table and not screen.query_one("#sidebar").display


@pytest.mark.slow  # a second Pilot run of the editor or the form; the default suite keeps one of each
async def test_tab_jumps_between_panes_and_the_active_pane_is_marked(scenario_file):
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_app(pilot, SID)
        screen = app.screen
        screen.query_one("#costs").focus()
        await pilot.pause()
        assert screen.query_one("#costs").has_class("-active-pane")
        await pilot.press("tab")
        await pilot.pause()
        assert screen._pane_of(app.focused) == "charts" and not screen.query_one("#costs").has_class("-active-pane")
        await pilot.press("tab")
        await pilot.pause()
        assert screen._pane_of(app.focused) == "scenarios"
        await pilot.press("tab")  # the form: one stop, not one per input
        await pilot.pause()
        assert app.focused.id == "requests_per_day" and screen.query_one("#form").has_class("-active-pane")
        await pilot.press("down", "down")
        assert app.focused.id == "output_tokens"
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused.id == "costs"
        await pilot.press("f3")  # back to the field last used
        await pilot.pause()
        assert app.focused.id == "output_tokens"


@pytest.mark.slow  # everyday: the option editor test (any field = tco run --set) and tests/engine/test_api_provisioned.py
async def test_committed_api_capacity_can_be_added_with_n_and_costs_what_tco_run_says(scenario_file):
    """`n` offered api, self-hosted and hybrid only, and the editor had no row for the required provider, model and
    source of an api-provisioned option: committed API capacity could not be added from the UI at all."""
    import yaml

    from tco.model.scenario import Scenario

    # the Azure PTU figures of the bundled commitments example (tco/examples/commitments.yaml, its sources there)
    figures = {"provider": "azure-openai", "model": "gpt-4.1", "source": "as in tco/examples/commitments.yaml",
               "usd_per_unit_hour": "0.3027", "tokens_per_minute_per_unit": "3000", "output_token_weight": "4",
               "minimum_units": "15", "term_months": "12"}
    app = TcoApp([scenario_file], today=TODAY, deterministic=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_app(pilot, SID)
        await highlight(pilot, "gpt-4o-mini")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")  # the fourth kind offered: api-provisioned
        await wait_for(pilot, lambda: isinstance(app.screen, OptionEditorScreen), what="editor for the new option")
        for name, text in figures.items():
            await set_field(pilot, f"opt-{name}", text)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "new-api-provisioned" in options_of(app) and settled(app, SID), what="added")
        table = app.screen.query_one("#costs", DataTable)
        assert table.get_cell("new-api-provisioned", "kind") == "api-provisioned"
        assert table.get_cell("new-api-provisioned", "gpus_peak").endswith(" units")
        shown = totals_on_screen(app)
    data = yaml.safe_load(scenario_file.read_text())
    data["options"].append({"kind": "api-provisioned", "id": "new-api-provisioned",
                            **{k: (v if k in ("provider", "model", "source") else yaml.safe_load(v)) for k, v in figures.items()}})
    results = run_scenarios([Scenario.model_validate(data)], today=TODAY).results
    expected = dict(zip(results.options["option"].to_list(), results.options["total_cost_usd"].to_list()))
    assert shown == pytest.approx(expected, rel=1e-12) and "new-api-provisioned" in expected
