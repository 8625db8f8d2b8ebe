"""`TcoApp`: validates the scenario files and loads the catalog in a worker, then opens the comparison.

Problems in the files open the problems screen instead of crashing. Bindings carry ids so that
keys can be remapped: the user's keymap file (`$XDG_CONFIG_HOME/llm-tco/keymap.yaml`, see
tco.tui.keymap) is applied with App.set_keymap at start-up, and the help screen lists every key as
remapped, with its id.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tco.tui.key_hints import key_for
from tco.tui.messages import SessionFailed, SessionOpened

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class TcoApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "llm-tco"
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (80, "-narrow"), (110, "-wide")]
    """Below 80 columns the sidebar shows only while one of its panes has focus (else it hid the totals)."""
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (asks first if there are unsaved changes)"),
        Binding("ctrl+q", "quit", "Quit", id="quit-now", priority=True, show=False),
        Binding("t", "toggle_theme", "Theme", id="toggle-theme", show=False, tooltip="Switch between dark and light"),
        Binding("question_mark,f1", "show_help", "Help", id="show-help", tooltip="Every key"),
    ]

    def __init__(self, files: Iterable[str | Path] | None = None, *, today: dt.date | None = None,
                 hardware_dirs: list[Path] | None = None, pricing_dirs: list[Path] | None = None,
                 deterministic: bool = False, config_dir: Path | None = None) -> None:
        """`today` fixes the date that picks prices; `deterministic` (snapshot tests) stops the cursor
        blinking and hides the measured timings, so the screen depends on the inputs only.
        `config_dir` is where the keymap is looked for (default: `$XDG_CONFIG_HOME/llm-tco`)."""
        super().__init__()
        self.files = [Path(f) for f in files or []]
        self.today = today
        self.hardware_dirs, self.pricing_dirs = hardware_dirs or [], pricing_dirs or []
        self.deterministic = deterministic
        self.cursor_blink = not deterministic
        self.session = None
        """tco.tui.session.Session once the files are loaded."""
        self.problems: list = []
        """Problems found in the files at start-up: the UI then exits with code 2, like the CLI."""
        self._api_providers = None
        self.theme = DARK_THEME
        self.config_dir = config_dir
        self.keymap = None
        """tco.tui.keymap.Keymap read at start-up (the file, the bindings applied, its problems)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Validating the scenario files and loading the catalog…", id="loading")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_keymap()
        self._open()

    def _apply_keymap(self) -> None:
        from tco.tui.keymap import load_keymap

        groups = [{b.id: b.key for b in bindings if isinstance(b, Binding) and b.id} for _, bindings in binding_groups()]
        known = {i for group in groups for i in group}
        everywhere = groups[0]  # the app's own bindings are active on every screen
        # the comparison screen's bindings are active while its inputs form has focus: tab given to the form
        # would stop leaving it
        comparison_with_its_form = {k: v for group in groups[1:4] for k, v in group.items()}
        self.keymap = load_keymap(known, self.config_dir,
                                  [{**everywhere, **group} for group in [*groups, comparison_with_its_form]])
        if self.keymap.bindings:
            self.set_keymap(self.keymap.bindings)
        if self.keymap.problems:
            self.notify("\n".join(self.keymap.problems) + "\nThe other entries apply.", title="Keymap entries ignored",
                        severity="warning", timeout=20)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open(self) -> None:
        from tco.errors import TcoUserError
        from tco.tui.session import open_session

        try:
            session = open_session(self.files or None, self.today, self.hardware_dirs, self.pricing_dirs)
        except TcoUserError as e:
            self.post_message(SessionFailed(e.problems))
            return
        self.post_message(SessionOpened(session))

    def on_session_opened(self, message: SessionOpened) -> None:
        from tco.tui.screens.compare import CompareScreen

        self.session = message.session
        self.push_screen(CompareScreen(message.session, cursor_blink=self.cursor_blink, show_timings=not self.deterministic))

    def on_session_failed(self, message: SessionFailed) -> None:
        from tco.tui.screens.problems import ProblemsScreen

        self.problems = message.problems
        self.push_screen(ProblemsScreen(message.problems))

    def all_api_providers(self) -> dict:
        """Every API price sheet, read once when an API browser first needs it (from a worker thread)."""
        if self._api_providers is None:
            from tco.tui.catalog_rows import load_all_providers

            self._api_providers = load_all_providers(self.pricing_dirs)
        return self._api_providers

    # ------------------------------------------------------------------ actions
    async def action_quit(self) -> None:
        from tco.tui.screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        if self.session is not None and self.session.dirty:
            names = ", ".join(sorted(self.session.files[i].name for i in self.session.dirty_files))
            self.push_screen(ConfirmScreen(f"Unsaved changes in {names}. Quit without saving?\n"
                                           f"({key_for(self, 'save-scenario')} saves)",
                                           yes="Quit", no="Stay"),
                             callback=lambda quit_now: quit_now and self.exit())
            return
        typed = self._typed_not_applied()
        if typed:
            self.push_screen(ConfirmScreen(f"{typed} typed but not applied (enter applies it). Quit and lose it?",
                                           yes="Quit", no="Stay"),
                             callback=lambda quit_now: quit_now and self.exit(return_code=2 if self.problems else 0))
            return
        self.exit(return_code=2 if self.problems else 0)

    def _typed_not_applied(self) -> str | None:
        """What the user typed that no result or file holds yet: a form field still pending, an option editor open.

        Why: ctrl+q fires before the field is left, so such a value was lost without a question."""
        from textual.widgets import Input

        from tco.tui.screens.compare import CompareScreen
        from tco.tui.screens.option_editor import OptionEditorScreen

        for screen in self.screen_stack:
            if isinstance(screen, OptionEditorScreen):
                return "An option being edited is"
            if isinstance(screen, CompareScreen):
                pending = [e.id for e in screen.query(Input) if e.has_class("-pending")]
                if pending:
                    return f"A value in {', '.join(pending)} is"
        return None

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def action_show_help(self) -> None:
        from tco.tui import new_option
        from tco.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        notes = "Adding an option from a catalog uses these defaults:\n" + new_option.__doc__.split("Defaults (shown again in the help screen):\n", 1)[-1]
        keymap = self.keymap.path if self.keymap is not None and self.keymap.path else None
        where = f"Keymap read from {keymap}." if keymap else "No keymap file: put one at $XDG_CONFIG_HOME/llm-tco/keymap.yaml (`binding-id: keys`)."
        self.push_screen(HelpScreen(binding_groups(), notes, keymap=dict(self._keymap), keymap_note=where))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Toggle dark/light", "Switch the theme", self.action_toggle_theme)
        yield SystemCommand("Help: keys", "Every key of the UI", self.action_show_help)
        from tco.tui.screens.compare import CompareScreen

        if isinstance(screen, CompareScreen):
            yield SystemCommand("Save scenario file", "Write the file (a backup of the old one is kept)", screen.action_save_scenario)
            yield SystemCommand("Save scenario file as…", "Write the file under another name (asks before replacing one)", screen.action_save_scenario_as)
            yield SystemCommand("Edit the highlighted option", "Every field of the option", screen.action_edit_option)
            yield SystemCommand("Add an option", "An API, self-hosted, hybrid or committed API capacity (api-provisioned) option", screen.action_new_option)
            yield SystemCommand("Duplicate the highlighted option", "A copy under a new id", screen.action_duplicate_option)
            yield SystemCommand("Delete the highlighted option", "Asks first", screen.action_delete_option)
            yield SystemCommand("Export workbook", "Write the .xlsx with live formulas", screen.action_export_workbook)
            yield SystemCommand("Explain the highlighted number", "Formula, inputs, sources", screen.action_explain)
            yield SystemCommand("Browse GPUs", "Add a self-hosted option on a GPU", lambda: screen.action_browse("gpu"))
            yield SystemCommand("Browse cloud offers", "Add a self-hosted option on an offer", lambda: screen.action_browse("offer"))
            yield SystemCommand("Browse open-weight models", "Add a self-hosted option for a model", lambda: screen.action_browse("model"))
            yield SystemCommand("Browse API prices", "Add an API option", lambda: screen.action_browse("api"))


def binding_groups() -> list[tuple[str, list]]:
    """Every binding of the UI by screen: the help screen lists them and the keymap checks ids against them."""
    from tco.tui.screens.ask_path import AskPathScreen
    from tco.tui.screens.catalog import CatalogScreen
    from tco.tui.screens.choose import ChooseScreen
    from tco.tui.screens.compare import CompareScreen
    from tco.tui.screens.confirm import ConfirmScreen
    from tco.tui.screens.explain import ExplainScreen
    from tco.tui.screens.help import HelpScreen
    from tco.tui.screens.option_editor import OptionEditorScreen
    from tco.tui.widgets.assumptions_form import AssumptionsForm

    return [("Everywhere", TcoApp.BINDINGS), ("Comparison", CompareScreen.BINDINGS),
            ("Inputs (applied on enter or when leaving the field)", AssumptionsForm.BINDINGS),
            ("Comparison (table)", [Binding("enter", "explain", "On a table cell: explain it")]),
            ("Option editor", OptionEditorScreen.BINDINGS), ("Catalog browser", CatalogScreen.BINDINGS),
            ("Explanation", ExplainScreen.BINDINGS), ("Confirmation", ConfirmScreen.BINDINGS),
            ("File name", AskPathScreen.BINDINGS), ("Choice", ChooseScreen.BINDINGS), ("Help", HelpScreen.BINDINGS)]
