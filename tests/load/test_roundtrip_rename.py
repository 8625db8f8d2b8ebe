"""Renames written back into the user's YAML text (tco.load.roundtrip): a renamed option id or an older key
spelling keeps its comments, and the comments a save does drop are named.

Bug hunt: renaming an option in the TUI deleted every end-of-line comment inside it (merge matched items by id,
so the old id counted as deleted), and an older key spelling lost its `# ASSUMPTION` note on the next save.
"""

from __future__ import annotations

import yaml

from tco.load.roundtrip import dropped_comments, updated_text

TEXT = """\
options:
  - id: a
    gpu_hours: 3.0   # ASSUMPTION: a's rate
  - id: b
    payment:
      usd_per_gpu_hour: 2.0   # ASSUMPTION: negotiated rate
      mode: on-demand
"""


def test_a_renamed_item_keeps_its_comments_when_the_rename_is_told():
    data = yaml.safe_load(TEXT)
    data["options"][0]["id"] = "a2"

    told = updated_text(TEXT, data, renamed_ids=[(("options",), "a", "a2")])

    assert told == TEXT.replace("id: a\n", "id: a2\n")
    assert "# ASSUMPTION: a's rate" not in updated_text(TEXT, data)  # matched by id alone, the comment went


def test_two_items_that_swap_ids_keep_their_own_comments():
    data = yaml.safe_load(TEXT)
    data["options"][0]["id"], data["options"][1]["id"] = "b", "a"

    text = updated_text(TEXT, data, renamed_ids=[(("options",), "a", "b"), (("options",), "b", "a")])

    assert yaml.safe_load(text) == data
    assert text == TEXT.replace("id: a\n", "id: TMP\n").replace("id: b\n", "id: a\n").replace("id: TMP\n", "id: b\n")


def test_an_older_key_spelling_renamed_keeps_its_place_and_its_comment():
    data = yaml.safe_load(TEXT)
    payment = data["options"][1]["payment"]
    data["options"][1]["payment"] = {"gpu_usd_per_hour": payment["usd_per_gpu_hour"], "mode": payment["mode"]}

    text = updated_text(TEXT, data, renamed_keys=[(("options", 1, "payment"), "usd_per_gpu_hour", "gpu_usd_per_hour")])

    assert text == TEXT.replace("usd_per_gpu_hour:", "gpu_usd_per_hour:")


def test_the_comments_a_save_drops_are_named_and_none_when_all_are_kept():
    data = yaml.safe_load(TEXT)
    del data["options"][0]

    assert dropped_comments(TEXT, updated_text(TEXT, data)) == ["# ASSUMPTION: a's rate"]
    assert dropped_comments(TEXT, TEXT) == []
