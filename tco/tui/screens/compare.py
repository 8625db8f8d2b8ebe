"""The main screen: scenarios, their inputs, the ranked options, charts; edits recompute in a worker."""

from __future__ import annotations

import re
import time
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tco.tui.key_hints import key_for
from tco.tui.messages import CatalogItemPicked, EvaluationFailed, ExportWritten, InputEdited, ResultsComputed
from tco.tui.widgets.assumptions_form import AssumptionsForm
from tco.tui.widgets.cost_charts import CumulativeCostChart, VolumeChart
from tco.tui.widgets.cost_table import CostTable

OPTIONS_EDIT = "options"
"""The 'field' of an edit made to the options (editor, catalog, copy, delete): its errors go to the status line only."""
NOT_EXPLAINABLE = ("rank", "option", "kind")
"""Columns that are names, not numbers: explaining them explains the total instead."""
WARNING_LINES = 1
"""Warnings listed above the table, one line each under a count (a tall panel hid the chart at 80x24); `!` shows every one in full."""


class CompareScreen(Screen):
    BINDINGS = [
        Binding("tab", "pane(1)", "Next pane", id="next-pane", show=False, tooltip="Jump to the next pane (scenarios, inputs, options, charts)"),
        Binding("shift+tab", "pane(-1)", "Previous pane", id="previous-pane", show=False, tooltip="Jump to the previous pane"),
        Binding("f2", "focus_pane('scenarios')", "Scenarios", id="focus-scenarios", show=False, tooltip="Jump to the scenario list"),
        Binding("f3", "focus_pane('form')", "Inputs", id="focus-inputs", show=False, tooltip="Jump to the workload and finance inputs"),
        Binding("f4", "focus_pane('costs')", "Options", id="focus-options", show=False, tooltip="Jump to the ranked options"),
        Binding("f5", "focus_pane('charts')", "Charts", id="focus-charts", show=False, tooltip="Jump to the charts"),
        Binding("i", "edit_option", "Edit", id="edit-option", tooltip="Edit every field of the highlighted option"),
        Binding("n", "new_option", "New", id="new-option", tooltip="Add an option of a kind you choose"),
        Binding("d", "duplicate_option", "Copy", id="duplicate-option", tooltip="Duplicate the highlighted option"),
        Binding("delete", "delete_option", "Delete", id="delete-option", show=False, tooltip="Delete the highlighted option (asks first)"),
        Binding("e", "explain", "Explain", id="explain-cell", tooltip="How the highlighted number was computed"),
        Binding("ctrl+s", "save_scenario", "Save", id="save-scenario", priority=True, tooltip="Write the scenario file (backup kept; asks before replacing another file)"),
        Binding("w", "save_scenario_as", "Save as", id="save-scenario-as", tooltip="Write the scenario file under another name"),
        Binding("x", "export_workbook", "Export", id="export-workbook", show=False, tooltip="Write the finance workbook (.xlsx)"),
        Binding("g", "browse('gpu')", "GPUs", id="browse-gpus", show=False, tooltip="Browse GPUs; enter adds a self-hosted option"),
        Binding("o", "browse('offer')", "Offers", id="browse-offers", show=False, tooltip="Browse cloud offers; enter adds a self-hosted option"),
        Binding("m", "browse('model')", "Models", id="browse-models", show=False, tooltip="Browse open-weight models; enter adds a self-hosted option"),
        Binding("a", "browse('api')", "APIs", id="browse-api-prices", show=False, tooltip="Browse API prices; enter adds an API option"),
        Binding("c", "next_chart", "Chart", id="next-chart", show=False, tooltip="Switch between the two charts"),
        Binding("exclamation_mark", "show_warnings", "Warnings", id="show-warnings", show=False,
                tooltip="The warnings `tco run` prints for this scenario (values that look mistyped, prices in doubt), in full"),
    ]
    AUTO_FOCUS = "#costs"
    """Start in the ranked options (Textual would focus the scenario list first; on a tiny terminal that opens the sidebar)."""
    PANES = ("scenarios", "form", "costs", "charts")
    """Tab order between panes (tab no longer walks through every input; up and down do that in the form)."""

    def __init__(self, session, cursor_blink: bool = True, show_timings: bool = True) -> None:
        super().__init__()
        self.show_timings = show_timings
        self.session = session
        self.cursor_blink = cursor_blink
        self.current: str | None = None
        """Id of the scenario on screen."""
        self.evaluations: dict = {}
        """Scenario id -> the latest Evaluation received (the last valid results stay on screen)."""
        self.stale: set[str] = set()
        """Scenarios edited since their last complete evaluation."""
        self.generation = 0
        self.latest: dict[str, int] = {}
        """Scenario id -> generation of its newest evaluation request; older results are dropped."""
        self.last_edit: dict[str, tuple[str, float]] = {}
        """Scenario id -> (field name, time of the edit), for the inline error and the latency shown."""
        self.unmeasured_edit: dict[str, float] = {}
        """Scenario id -> time of its newest edit whose new totals are not on screen yet."""
        self.last_latency_ms: float | None = None
        """Keystroke to new totals in the table, for the newest edit (shown in the status line)."""
        self.quick_ms: float | None = None
        self.failures: dict[str, str] = {}
        """Scenario id -> why its newest evaluation failed (absent once one succeeds): Save asks before writing it."""
        self.warnings: tuple = ()
        """The warnings of the scenario on screen, from its newest full evaluation."""
        self.failed_fields: dict[str, set[str]] = {}
        """Scenario id -> the form fields showing that failure (cleared when an evaluation succeeds)."""

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield OptionList(*[Option(e.scenario.title, id=e.scenario.id) for e in self.session.entries], id="scenarios")
                yield AssumptionsForm(cursor_blink=self.cursor_blink, id="form")
            with Vertical(id="main"):
                yield Static("computing…", id="recommendation")
                yield Static("", id="warnings")
                yield CostTable(id="costs")
                with TabbedContent(id="charts"):
                    with TabPane("Cumulative cost", id="tab-cumulative"):
                        yield CumulativeCostChart(id="cumulative-chart")
                    with TabPane("Cost vs volume", id="tab-volume"):
                        yield VolumeChart(id="volume-chart")
                yield Static("", id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#scenarios").border_title = "Scenarios"
        self.query_one("#form").border_title = "Inputs"
        self.query_one("#costs").border_title = "Options, ranked by total cost"
        self.call_after_refresh(self._show_first)

    def _show_first(self) -> None:
        """After the first refresh: the form's inputs exist only once it has composed."""
        if self.session.entries and self.current is None:
            self.select(self.session.entries[0].scenario.id)
            self.query_one("#costs", CostTable).focus()

    # ------------------------------------------------------------------ scenarios
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.current:
            self.select(event.option.id)

    def select(self, scenario_id: str) -> None:
        self.current = scenario_id
        entry = self.session.entries[self.session.index_of(scenario_id)]
        self.query_one("#form", AssumptionsForm).show_scenario(scenario_id, entry.data)
        self.query_one("#costs").border_title = f"{entry.scenario.title}: options ranked by total cost"
        if scenario_id in self.evaluations:
            self.display_evaluation(self.evaluations[scenario_id])
        if scenario_id not in self.evaluations or scenario_id in self.stale:
            self.evaluate(scenario_id)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, scenario_id: str) -> None:
        self.generation += 1
        self.latest[scenario_id] = self.generation
        # taken now, on the UI thread: later edits must not change what this request evaluates
        self._evaluate(scenario_id, self.session.located([self.session.index_of(scenario_id)]), self.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluate")
    def _evaluate(self, scenario_id: str, scenario, generation: int) -> None:
        """Totals first (tens of ms), then the volume curves and the break-even search (up to ~0.2 s),
        each posted as soon as it is ready: the table follows the keystroke, the rest catches up."""
        from tco.errors import TcoUserError
        from tco.tui.session import evaluate_scenario

        worker = get_current_worker()
        s = self.session
        try:
            quick = evaluate_scenario(scenario, s.catalog, s.today, with_breakeven=False, curves={})
            if worker.is_cancelled:
                return
            self.post_message(ResultsComputed(quick, generation))
            full = evaluate_scenario(scenario, s.catalog, s.today, with_breakeven=True)
            if worker.is_cancelled:
                return
            self.post_message(ResultsComputed(full, generation))
        except TcoUserError as e:
            self.post_message(EvaluationFailed(scenario_id, "; ".join(p.render() for p in e.problems), generation,
                                               tuple(p.field for p in e.problems if p.field)))
        except Exception as e:  # a bug, not the user's input: say so, keep the last results, keep running
            self.post_message(EvaluationFailed(scenario_id, f"internal error ({type(e).__name__}: {e}); please report it", generation))

    def on_results_computed(self, message: ResultsComputed) -> None:
        ev = message.evaluation
        if message.generation != self.latest.get(ev.scenario_id):
            return  # a newer edit is being computed
        self.evaluations[ev.scenario_id] = ev
        self.failures.pop(ev.scenario_id, None)
        if ev.with_breakeven:
            self.stale.discard(ev.scenario_id)
        edit = self.last_edit.get(ev.scenario_id)
        if ev.scenario_id == self.current:
            form = self.query_one("#form", AssumptionsForm)
            for name in self.failed_fields.pop(ev.scenario_id, set()) | ({edit[0]} if edit else set()):
                form.set_error(name, None)
            edited_at = self.unmeasured_edit.pop(ev.scenario_id, None)
            if edited_at is not None and not ev.with_breakeven:
                self.query_one("#costs", CostTable).show(ev.results.options, breakeven_pending=True)
                self.last_latency_ms = (time.perf_counter() - edited_at) * 1000
                self.quick_ms = ev.elapsed_ms
            self.display_evaluation(ev)

    def on_evaluation_failed(self, message: EvaluationFailed) -> None:
        if message.generation != self.latest.get(message.scenario_id):
            return
        self.failures[message.scenario_id] = message.message
        if message.scenario_id != self.current:
            return
        text = f"Not recomputed: {message.message}. The results shown are the last valid ones."
        # under the fields the problems name (not under the field edited last: a later valid edit of
        # another field must not carry an old message); a problem in an option shows in the status line
        form = self.query_one("#form", AssumptionsForm)
        named = {name for name in map(_form_field_of, message.fields) if name and form.has_field(name)}
        for name in self.failed_fields.pop(message.scenario_id, set()) - named:
            form.set_error(name, None)
        for name in named:
            form.set_error(name, text)
        self.failed_fields[message.scenario_id] = named
        self.set_status(text, error=True)

    def display_evaluation(self, ev) -> None:
        from tco.engine.compare import recommendation

        self.query_one("#costs", CostTable).show(ev.results.options, breakeven_pending=not ev.with_breakeven)
        self.query_one("#recommendation", Static).update(recommendation(ev.results, ev.scenario_id))
        self.query_one("#cumulative-chart", CumulativeCostChart).show(ev)
        if ev.with_breakeven:
            self.query_one("#volume-chart", VolumeChart).show(ev)
            self.show_warnings(ev.warnings)
        latency = f"; new totals {self.last_latency_ms:.0f} ms after the keystroke" if self.last_latency_ms is not None else ""
        pending = "; solving break-even and volume curve…" if not ev.with_breakeven else ""
        noted = sum(1 for n in ev.results.options["notes"].to_list() if n)
        timing = f"engine: {ev.elapsed_ms:.0f} ms{latency}" if self.show_timings else "engine: done"
        # the notes themselves are long (one option's ran past the screen's edge here): the option's explanation lists them
        self.set_status(f"{timing}{pending}" + (f" · {noted} with notes: {self._key('explain-cell')} on its row" if noted else ""))

    def _key(self, binding_id: str) -> str:
        return key_for(self.app, binding_id)

    def show_warnings(self, warnings) -> None:
        """The warnings `tco run` prints on stderr for this scenario, above the table (hidden when there are none).

        Why on screen: a value that is valid but probably mistyped (a GPU-hour at $0.002, a 3-month
        horizon) gives a total that looks right; the CLI says so, and so must the UI."""
        panel = self.query_one("#warnings", Static)
        self.warnings = tuple(warnings)
        entry = self.session.entries[self.session.index_of(self.current)] if self.current else None
        lines = [f"⚠ {len(warnings)} warning(s) (tco run's); {self._key('show-warnings')} shows them:"]
        lines += [warning_text(w, entry) for w in warnings[:WARNING_LINES]]
        panel.update("\n".join(lines))
        panel.display = bool(warnings)

    def action_show_warnings(self) -> None:
        from tco.tui.screens.explain import ExplainScreen

        if not self.warnings:
            self.notify("No warnings: `tco run` prints none for this scenario as it stands.")
            return
        self.app.push_screen(ExplainScreen(f"Warnings for {self.current} (valid values that look mistyped, prices in doubt)",
                                           "\n\n".join(w.render() for w in self.warnings)))

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ edits
    def on_input_edited(self, message: InputEdited) -> None:
        from tco.tui.session import EditRejected

        form = self.query_one("#form", AssumptionsForm)
        index = self.session.index_of(message.scenario_id)
        data = self.session.propose_value(index, message.path, message.text)
        try:
            scenario = self.session.validate(data)
        except EditRejected as e:
            form.set_error(message.path[-1], str(e))
            return
        form.set_error(message.path[-1], None)
        form.mark_applied(message.path[-1], message.shown_text if message.shown_text is not None else message.text)
        form.show_dependent(data)
        self.apply(index, data, scenario, message.path[-1], message.edited_at)

    def apply(self, index: int, data: dict, scenario, field_name: str, edited_at: float | None = None) -> None:
        self.session.commit(index, data, scenario)
        self.last_edit[scenario.id] = (field_name, edited_at or time.perf_counter())
        self.unmeasured_edit[scenario.id] = self.last_edit[scenario.id][1]
        self.stale.add(scenario.id)
        self.app.sub_title = "unsaved changes"
        self.evaluate(scenario.id)

    # ------------------------------------------------------------------ explain
    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        if event.data_table.id == "costs":
            self.action_explain()

    def action_explain(self) -> None:
        from tco.tui.explain_text import explain_cell
        from tco.tui.screens.explain import ExplainScreen

        ev = self.evaluations.get(self.current)
        keys = self.query_one("#costs", CostTable).cell_keys()
        if ev is None or keys is None:
            return
        option, column = keys
        if column in NOT_EXPLAINABLE:
            column = "total_cost_usd"
        self.app.push_screen(ExplainScreen(f"How {column} of {option} was computed", explain_cell(ev.results, option, column)))

    def action_next_chart(self) -> None:
        tabs = self.query_one("#charts", TabbedContent)
        tabs.active = "tab-volume" if tabs.active == "tab-cumulative" else "tab-cumulative"

    # ------------------------------------------------------------------ catalogs
    def action_browse(self, kind: str) -> None:
        from tco.tui.catalog_rows import VIEWS, api_rows, gpu_rows, model_rows, offer_rows
        from tco.tui.screens.catalog import CatalogScreen

        s = self.session
        if kind == "api":
            scenario = s.entries[s.index_of(self.current)].scenario
            on = scenario.finance.start_date or s.today  # the date that picks the API price, as in the engine

            def load():
                return api_rows(self.app.all_api_providers(), on)
        else:
            rows_of = {"gpu": gpu_rows, "offer": offer_rows, "model": model_rows}[kind]

            def load():
                return rows_of(s.catalog)
        self.app.push_screen(CatalogScreen(VIEWS[kind], load, cursor_blink=self.cursor_blink),
                             callback=lambda key: key is not None and self.post_message(CatalogItemPicked(kind, key)))

    def on_catalog_item_picked(self, message: CatalogItemPicked) -> None:
        self.add_from_catalog(message.kind, message.key)

    def add_from_catalog(self, kind: str, key: tuple) -> None:
        import copy

        from pydantic import ValidationError

        from tco.engine.rows import build_rows
        from tco.model.scenario import Scenario
        from tco.tui.new_option import CannotAdd, api_option, placeholder_warning, self_hosted_option
        from tco.tui.session import EditRejected

        s = self.session
        index = s.index_of(self.current)
        entry = s.entries[index]
        taken = {o.id for o in entry.scenario.options}

        def runs(option: dict) -> bool:
            data = copy.deepcopy(entry.data)
            data.setdefault("options", []).append(option)
            try:
                scenario = Scenario.model_validate(data)
            except ValidationError:
                return False
            return not build_rows([scenario], s.catalog, s.today)[1]

        try:
            if kind == "api":
                provider, model = key
                if provider not in s.catalog.providers:
                    s.catalog.providers[provider] = self.app.all_api_providers()[provider]
                option = api_option(provider, model, taken)
            else:
                option = self_hosted_option(entry.scenario, s.catalog, taken, runs=runs, **{kind: key[0]})
            data, scenario = s.add_option(index, option)
        except (CannotAdd, EditRejected) as e:
            self.notify(f"Cannot add: {e}", severity="error", timeout=8)
            return
        self.apply(index, data, scenario, OPTIONS_EDIT)
        offer = option.get("payment", {}).get("offer") if option["kind"] == "self-hosted" else None
        warning = placeholder_warning(s.catalog.offers[offer]) if offer else None
        if warning:
            self.notify(f"Check the price of `{option['id']}`: {warning}. Set its price per GPU-hour in the option editor ({self._key('edit-option')}) to use a real one.",
                        title="Placeholder price", severity="warning", timeout=15)
        self.notify(f"Added option `{option['id']}` to {scenario.title}" +
                    (f" ({option['gpus_per_replica']} x {option['gpu']}, {option['payment']['mode']} via {option['payment']['offer']})"
                     if option["kind"] == "self-hosted" else "") + f". {self._key('save-scenario')} saves it.")

    # ------------------------------------------------------------------ panes
    def _pane_of(self, widget) -> str | None:
        node = widget
        while node is not None and node is not self:
            if node.id in self.PANES:
                return node.id
            node = node.parent
        return None

    def action_pane(self, step: int) -> None:
        current = self._pane_of(self.focused)
        index = self.PANES.index(current) if current in self.PANES else (-1 if step > 0 else 0)
        self.action_focus_pane(self.PANES[(index + step) % len(self.PANES)])

    def action_focus_pane(self, pane: str) -> None:
        from textual.widgets import Input, Tabs

        if pane == "form":
            form = self.query_one("#form", AssumptionsForm)
            remembered = getattr(self, "_last_form_input", None)
            entries = [e for e in form.query(Input) if e.display and not e.disabled and e.parent.display]
            target = remembered if remembered in entries else (entries[0] if entries else None)
        elif pane == "charts":
            target = self.query_one("#charts", TabbedContent).query_one(Tabs)
        else:
            target = self.query_one(f"#{pane}")
        sidebar = self.query_one("#sidebar")
        if pane in ("scenarios", "form") and not sidebar.has_class("-open"):
            sidebar.add_class("-open")  # on a tiny terminal the sidebar is hidden until one of its panes is wanted
            if target is not None:
                self.call_after_refresh(self._focus, target)
            return
        if target is not None:
            self._focus(target)

    def _focus(self, target) -> None:
        target.focus()
        target.scroll_visible()

    def on_descendant_focus(self, event) -> None:
        from textual.widgets import Input

        if isinstance(event.widget, Input) and self._pane_of(event.widget) == "form":
            self._last_form_input = event.widget
        for pane in self.PANES:
            self.query_one(f"#{pane}").set_class(self._pane_of(event.widget) == pane, "-active-pane")
        self.query_one("#sidebar").set_class(self._pane_of(event.widget) in ("scenarios", "form"), "-open")

    # ------------------------------------------------------------------ options
    def highlighted_option(self) -> str | None:
        keys = self.query_one("#costs", CostTable).cell_keys()
        return keys[0] if keys else None

    def action_edit_option(self) -> None:
        from tco.tui.screens.option_editor import OptionEditorScreen

        option_id = self.highlighted_option()
        if option_id is None or self.current is None:
            return
        index = self.session.index_of(self.current)
        option = self.session.option_data(index, option_id)

        def check(edited: dict) -> str | None:
            from tco.tui.session import EditRejected

            try:
                self.session.replace_option(index, option_id, edited)
            except EditRejected as e:
                return str(e)
            return None

        def done(edited: dict | None) -> None:
            if edited is None or edited == option:
                return
            data, scenario = self.session.replace_option(index, option_id, edited)
            self.apply(index, data, scenario, OPTIONS_EDIT)
            self.notify(f"Option `{edited['id']}` changed. {self._key('save-scenario')} saves it.")

        self.app.push_screen(OptionEditorScreen(option, check, f"Option {option_id} ({option['kind']})",
                                                cursor_blink=self.cursor_blink), callback=done)

    def action_new_option(self) -> None:
        from tco.tui.screens.choose import ChooseScreen

        if self.current is None:
            return
        self.app.push_screen(ChooseScreen("Add an option of which kind?", [
            ("api", "pay a hosted API per token"), ("self-hosted", "serve an open-weight model on GPUs"),
            ("hybrid", "part self-hosted, the rest on an API"),
            ("api-provisioned", "committed API capacity: units reserved from the provider for a term")]),
            callback=lambda kind: kind and self._new_option(kind))

    def _new_option(self, kind: str) -> None:
        from tco.tui.option_fields import new_option
        from tco.tui.screens.option_editor import OptionEditorScreen
        from tco.tui.session import EditRejected

        index = self.session.index_of(self.current)
        entry = self.session.entries[index]
        option = new_option(kind, entry.data, {o.id for o in entry.scenario.options})

        def check(edited: dict) -> str | None:
            try:
                self.session.add_option(index, edited)
            except EditRejected as e:
                return str(e)
            return None

        def done(edited: dict | None) -> None:
            if edited is None:
                return
            data, scenario = self.session.add_option(index, edited)
            self.apply(index, data, scenario, OPTIONS_EDIT)
            self.notify(f"Added option `{edited['id']}`. {self._key('save-scenario')} saves it.")

        self.app.push_screen(OptionEditorScreen(option, check, f"New {kind} option", cursor_blink=self.cursor_blink), callback=done)

    def action_duplicate_option(self) -> None:
        from tco.tui.session import EditRejected

        option_id = self.highlighted_option()
        if option_id is None or self.current is None:
            return
        index = self.session.index_of(self.current)
        try:
            data, scenario, new_id = self.session.duplicate_option(index, option_id)
        except EditRejected as e:
            self.notify(f"Cannot duplicate: {e}", severity="error", timeout=8)
            return
        self.apply(index, data, scenario, OPTIONS_EDIT)
        self.notify(f"Duplicated `{option_id}` as `{new_id}` ({self._key('edit-option')} edits it). "
                    f"{self._key('save-scenario')} saves it.")

    def action_delete_option(self) -> None:
        from tco.tui.screens.confirm import ConfirmScreen
        from tco.tui.session import EditRejected

        option_id = self.highlighted_option()
        if option_id is None or self.current is None:
            return
        index = self.session.index_of(self.current)
        try:
            data, scenario = self.session.delete_option(index, option_id)
        except EditRejected as e:
            self.notify(f"Cannot delete: {e}", severity="error", timeout=8)
            return

        def done(yes: bool) -> None:
            if yes:
                self.apply(index, data, scenario, OPTIONS_EDIT)
                self.notify(f"Deleted option `{option_id}`. {self._key('save-scenario')} saves the file without it.")

        self.app.push_screen(ConfirmScreen(f"Delete option {option_id}?", yes="Delete", no="Keep"), callback=done)

    # ------------------------------------------------------------------ save and export
    def _current_file(self) -> int:
        s = self.session
        return s.entries[s.index_of(self.current)].file_index

    def _unapplied_then(self, save) -> None:
        """Ask before saving past a value typed in a field but not applied (ctrl+s fires before the field is left: the
        value was neither saved nor mentioned, and "No unsaved changes" was said when it was the only edit)."""
        from textual.widgets import Input

        from tco.tui.screens.confirm import ConfirmScreen

        pending = [e.id for e in self.query(Input) if e.has_class("-pending")]
        if not pending:
            save()
            return
        self.app.push_screen(ConfirmScreen(f"A value in {', '.join(pending)} is typed but not applied (enter applies it). "
                                           "Save without it?", yes="Save without it", no="Stay"),
                             callback=lambda go_on: go_on and save())

    def action_save_scenario(self) -> None:
        self._unapplied_then(self._save_scenario)

    def _save_scenario(self) -> None:
        s = self.session
        if self.current is None:
            return
        file_index = self._current_file()
        if file_index not in s.dirty_files:
            self.notify("No unsaved changes in this scenario's file.")
            return
        target = s.default_target(file_index)
        if target != s.files[file_index]:
            # a bundled example: never written in place; say where the copy goes and let the user change it
            self._ask_save_as(file_index, target, f"{s.files[file_index].name} is a bundled example (never overwritten). Save a copy as:")
            return
        self._save_to(file_index, target)

    def action_save_scenario_as(self) -> None:
        self._unapplied_then(self._save_scenario_as)

    def _save_scenario_as(self) -> None:
        if self.current is None:
            return
        file_index = self._current_file()
        self._ask_save_as(file_index, self.session.default_target(file_index), "Save the scenario file as:")

    def _ask_save_as(self, file_index: int, suggested: Path, prompt: str) -> None:
        from tco.tui.screens.ask_path import AskPathScreen

        shown = suggested.relative_to(Path.cwd()) if suggested.is_relative_to(Path.cwd()) else suggested
        self.app.push_screen(AskPathScreen(prompt, str(shown), cursor_blink=self.cursor_blink),
                             callback=lambda path: path and self._save_to(file_index, Path(path).expanduser()))

    def _save_to(self, file_index: int, target: Path, failure_confirmed: bool = False) -> None:
        """Ask before writing a scenario whose last evaluation failed, and before replacing a file nobody said to replace; then write."""
        from tco.tui.screens.confirm import ConfirmScreen

        target = target if target.is_absolute() else Path.cwd() / target
        refusal = self.session.save_refusal(file_index, target)
        if refusal is not None:
            self.notify(refusal, title="Not saved", severity="error", timeout=12)
            return
        failed = [(e.scenario.id, self.failures[e.scenario.id]) for e in self.session.entries
                  if e.file_index == file_index and e.scenario.id in self.failures]
        if failed and not failure_confirmed:
            scenario_id, why = failed[0]
            self.app.push_screen(
                ConfirmScreen(f"The last evaluation of {scenario_id} failed:\n{why}\n\n`tco run` and `tco validate` will refuse "
                              f"this file. Save it anyway? (nothing is lost either way: the edits stay on screen)",
                              yes="Save anyway", no="Cancel"),
                callback=lambda yes: self._save_to(file_index, target, True) if yes else self.notify("Not saved."))
            return
        question = self.session.overwrite_question(file_index, target)
        if question is None:
            self._write(file_index, target)
            return
        self.app.push_screen(ConfirmScreen(question, yes="Replace", no="Cancel"),
                             callback=lambda yes: self._write(file_index, target) if yes else self.notify("Not saved."))

    def _write(self, file_index: int, target: Path) -> None:
        from tco.errors import TcoUserError

        s = self.session
        try:
            saved = s.save(file_index, target)
        except TcoUserError as e:
            self.notify("\n".join(p.render() for p in e.problems), title="Not saved", severity="error", timeout=10)
            return
        except OSError as e:
            self.notify(f"{target}: {e.strerror or e}", title="Not saved", severity="error", timeout=10)
            return
        where = f"Saved {saved.path}"
        if saved.redirected_from is not None:
            where += f" (a copy of the bundled example {saved.redirected_from.name})"
        if not saved.comments_kept:
            kept = " The original could not be read back: comments not kept."
        elif saved.comments_dropped:
            shown = "; ".join(saved.comments_dropped[:3]) + ("; …" if len(saved.comments_dropped) > 3 else "")
            kept = (f" {len(saved.comments_dropped)} comment line(s) went with the values they were on ({shown}); "
                    "the other comments are kept.")
        else:
            kept = " Comments kept."
        backup = f" The previous version is kept as {saved.backup}." if saved.backup else ""
        if saved.original is not None and saved.original != saved.backup:
            backup += f" The file as it was before this session's first save stays in {saved.original.name}."
        self.notify(f"{where}.{kept}{backup}", title="Saved", timeout=10)
        if not s.dirty:
            self.app.sub_title = ""

    def action_export_workbook(self) -> None:
        import importlib.util

        from tco.tui.screens.ask_path import AskPathScreen

        if importlib.util.find_spec("tco.export.excel") is None:
            self.notify("Workbook export is not available in this build (tco.export.excel is missing).", severity="warning")
            return
        self.app.push_screen(AskPathScreen("Write the workbook (all scenarios, live formulas) to:", f"{self.current}.xlsx",
                                           cursor_blink=self.cursor_blink),
                             callback=lambda path: path and self._export_to(Path(path).expanduser()))

    def _export_to(self, path: Path) -> None:
        """Refuse a scenario file of this session (open, first opened, or saved as); ask before replacing any other file."""
        from tco.files import writes_in_place
        from tco.tui.screens.confirm import ConfirmScreen
        from tco.tui.session import backup_name, same_file

        path = path if path.is_absolute() else Path.cwd() / path
        scenario_file = next((f for f in self.session.files_not_to_export_over() if same_file(path, f)), None)
        if scenario_file is not None:
            self.notify(f"{path} is a scenario file of this session ({scenario_file.name}); the workbook would replace it. "
                        "Give a .xlsx name.", title="Not exported", severity="error", timeout=12)
            return
        if not path.is_file() or writes_in_place(path):
            self._export(path)
            return
        self.app.push_screen(ConfirmScreen(f"{path} already exists. Replace it with the workbook? (the old file is kept as "
                                           f"{backup_name(path)})", yes="Replace", no="Cancel"),
                             callback=lambda yes: self._export(path) if yes else self.notify("Not exported."))

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _export(self, path: Path) -> None:
        from tco.errors import TcoUserError
        from tco.export.excel import export_workbook, input_files

        try:
            run = self.session.run()
            written = export_workbook(run, path, inputs=[*input_files(run), *self.session.files_not_to_export_over()])
        except TcoUserError as e:
            self.app.call_from_thread(self.notify, "\n".join(p.render() for p in e.problems), title="Not exported", severity="error", timeout=10)
            return
        self.post_message(ExportWritten(written or path))

    def on_export_written(self, message: ExportWritten) -> None:
        self.notify(f"Wrote {message.path}", title="Exported", timeout=8)


def warning_text(problem, entry=None) -> str:
    """`  llama-70b.payment.gpu_usd_per_hour: 0.002 looks too small…`: the field named by its option's id, without the file.

    `entry` is the scenario's `ScenarioEntry`: problems name an option by its place in the file, which is not its
    place in the list after a delete, a copy or an added option."""
    field = re.sub(r"^scenarios\[\d+\]\.", "", problem.field or "")
    unsaved = re.match(r"options\[`([^`]+)`, not in the file yet\]", field)
    match = re.match(r"options\[(\d+)\]", field)
    if unsaved:
        field = unsaved.group(1) + field[unsaved.end():]
    elif match and entry is not None:
        places = entry.option_places()
        if int(match.group(1)) in places:
            field = entry.scenario.options[places.index(int(match.group(1)))].id + field[match.end():]
    return f"  {field}: {problem.message}" if field else f"  {problem.message}"


def _form_field_of(problem_field: str) -> str | None:
    """`scenarios[0].workload.output_tokens` -> `output_tokens` (a form field); None for an option's field."""
    parts = [p for p in re.split(r"[.\[\]]", problem_field) if p]
    for section in ("workload", "finance"):
        if section in parts and parts.index(section) + 1 < len(parts):
            return parts[parts.index(section) + 1]
    return None
