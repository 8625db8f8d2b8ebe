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


def test_a_list_of_keys_is_read_a_key_missing_after_plus_is_named_and_a_key_taken_in_the_same_scope_refused(tmp_path):
    """`quit: [q]` was read as None; `ctrl+` was accepted (no key); `browse-gpus: a` took the API browser's key on the
    same screen, which then opened nothing without a word. A swap of two keys in one file is no conflict."""
    known = {"quit", "toggle-theme", "browse-gpus", "browse-api", "close"}
    scopes = [{"quit": "q", "toggle-theme": "f9", "browse-gpus": "g", "browse-api": "a"},
              {"quit": "q", "toggle-theme": "f9", "close": "escape"}]
    (tmp_path / "keymap.yaml").write_text("quit: [q, ctrl+q]\ntoggle-theme: ctrl+\nbrowse-gpus: a\nclose: a\n")
    keymap = load_keymap(known, tmp_path, scopes)
    path = tmp_path / "keymap.yaml"
    assert keymap.bindings == {"quit": "q,ctrl+q", "close": "a"}  # `a` is free on the second screen
    assert keymap.problems == [
        f"{path}:2: toggle-theme: `ctrl+` names no key (write a key after each +, e.g. `ctrl+x`)",
        f"{path}:3: browse-gpus: `a` is also `browse-api`'s (its default key), active at the same time: "
        "give `browse-api` another key too, or choose another key here"]
    (tmp_path / "keymap.yaml").write_text("browse-gpus: a\nbrowse-api: g\n")
    assert load_keymap(known, tmp_path, scopes).bindings == {"browse-gpus": "a", "browse-api": "g"}
