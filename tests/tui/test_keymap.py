"""The keymap file: found in the XDG config folder, checked against the UI's binding ids, problems located."""

from __future__ import annotations

from pathlib import Path

from tco.tui.keymap import config_dir, load_keymap

KNOWN = {"toggle-theme", "explain-cell", "save-scenario"}


def test_the_config_folder_follows_xdg_config_home_then_home():
    assert config_dir({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == Path("/x/llm-tco")
    assert config_dir({"XDG_CONFIG_HOME": "", "HOME": "/h"}) == Path("/h/.config/llm-tco")


def test_no_file_means_no_keymap(tmp_path):
    keymap = load_keymap(KNOWN, tmp_path)
    assert keymap.path is None and keymap.bindings == {} and keymap.problems == []


def test_a_yaml_keymap_applies_its_good_entries_and_names_the_line_of_each_bad_one(tmp_path):
    (tmp_path / "keymap.yaml").write_text("# keys\ntoggle-theme: f10\nexplain-cell: 3\nsave-scenarios: ctrl+w\n"
                                          "save-scenario: ' ctrl+w , f2 '\n")
    keymap = load_keymap(KNOWN, tmp_path)
    assert keymap.bindings == {"toggle-theme": "f10", "save-scenario": "ctrl+w,f2"}
    assert keymap.problems == [
        f"{tmp_path / 'keymap.yaml'}:3: explain-cell: keys must be text such as `f10` or `ctrl+x,e`, got 3",
        f"{tmp_path / 'keymap.yaml'}:4: save-scenarios: unknown binding id (did you mean `save-scenario`?)",
    ]


def test_a_toml_keymap_is_read_too(tmp_path):
    (tmp_path / "keymap.toml").write_text('# keys\n"toggle-theme" = "f10"\nnope = "x"\n')
    keymap = load_keymap(KNOWN, tmp_path)
    assert keymap.bindings == {"toggle-theme": "f10"}
    assert len(keymap.problems) == 1 and keymap.problems[0].startswith(f"{tmp_path / 'keymap.toml'}:3: nope: unknown binding id")


def test_a_keymap_that_does_not_parse_is_reported_with_its_line(tmp_path):
    (tmp_path / "keymap.yaml").write_text("toggle-theme: f10\n  bad: [\n")
    keymap = load_keymap(KNOWN, tmp_path)
    assert keymap.bindings == {} and len(keymap.problems) == 1
    assert keymap.problems[0].startswith(f"{tmp_path / 'keymap.yaml'}:") and "not valid YAML" in keymap.problems[0]
