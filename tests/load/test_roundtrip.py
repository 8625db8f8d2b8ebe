"""Writing edited data back into the user's YAML text (tco.load.roundtrip): anchors and comments."""

from __future__ import annotations

import copy

import pytest
import yaml

from tco.load.roundtrip import updated_text
from tco.paths import examples_dir

SHARED = """\
options:
  - id: a
    operations: &ops
      staff_fte: 0.5   # half an engineer
      setup_usd: 20000
  - id: b
    operations: *ops
"""


@pytest.mark.parametrize("edited, other", [(1, 0), (0, 1)])
def test_an_edit_of_a_block_shared_through_an_anchor_changes_only_the_edited_option(edited, other):
    data = yaml.safe_load(SHARED)
    data["options"][edited]["operations"] = dict(data["options"][edited]["operations"], staff_fte=3)

    saved = yaml.safe_load(updated_text(SHARED, data))

    assert saved["options"][edited]["operations"] == {"staff_fte": 3, "setup_usd": 20000}
    assert saved["options"][other]["operations"] == {"staff_fte": 0.5, "setup_usd": 20000}


def test_an_anchor_that_no_edit_touches_is_written_back_as_it_was():
    data = yaml.safe_load(SHARED)
    data["options"][0]["note"] = "a note beside the shared block"
    text = updated_text(SHARED, data)
    assert "&ops" in text and "*ops" in text


def _comment_lines(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def test_clearing_a_field_keeps_the_comment_lines_that_introduce_the_next_field():
    original = (examples_dir() / "customer-support.yaml").read_text(encoding="utf-8")
    assert "monthly_growth: 0.02\n      # busiest at office hours" in original  # the comment ruamel hangs on monthly_growth
    data = yaml.safe_load(original)
    del data["scenarios"][0]["workload"]["monthly_growth"]

    text = updated_text(original, data)

    assert "monthly_growth" not in text
    assert _comment_lines(text) == _comment_lines(original)  # every comment line survives, in its order
    assert "# busiest at office hours" in text.split("hourly_profile:")[0].splitlines()[-2]  # still right above its field
    assert yaml.safe_load(text) == data


def test_clearing_the_first_field_of_a_block_keeps_the_comment_above_the_next_one():
    original = "a:\n  x: 1  # x's own note\n  # about y\n  y: 2\n"
    text = updated_text(original, {"a": {"y": 2}})
    assert text == "a:\n  # about y\n  y: 2\n"  # x's end-of-line note went with x's value


def test_clearing_two_fields_in_a_row_keeps_the_comments_between_and_after_them():
    original = "a:\n  w: 0  # w note\n  x: 1\n  # about y\n  y: 2\n  # about z\n  z: 3\n"
    text = updated_text(original, {"a": {"w": 0, "z": 3}})
    assert text == "a:\n  w: 0  # w note\n  # about y\n  # about z\n  z: 3\n"


def test_an_unshared_edit_still_keeps_the_comments_of_the_edited_block():
    data = yaml.safe_load(SHARED)
    data["options"][1]["operations"] = copy.deepcopy(data["options"][1]["operations"]) | {"setup_usd": 1}
    assert "# half an engineer" in updated_text(SHARED, data).split("id: b")[1]


def test_deleting_an_option_keeps_the_comment_lines_that_introduce_the_next_one():
    """ruamel keeps the comment lines below an option on its deepest last key; deleting the option deleted the comment
    that introduces the option after it. They now go to the option before (nothing the user wrote is lost)."""
    import yaml

    from tco.load.roundtrip import updated_text

    text = (
        "id: s\n"
        "options:\n"
        "  - kind: api\n"
        "    id: a\n"
        "    model: m\n"
        "  # the second option, cheap\n"
        "  - kind: api\n"
        "    id: b\n"
        "    payment: {mode: x}\n"
        "  # the third option: self-hosted\n"
        "  - kind: api\n"
        "    id: c\n"
        "    operations:\n"
        "      pue: 1.2\n"
        "  # the fourth option\n"
        "  - kind: api\n"
        "    id: d\n"
    )
    # c's block ends in `pue: 1.2`, which holds "# the fourth option": it moves above d. The line above c, which
    # ruamel ties to c itself (after b's flow value), introduced c and goes with it; b's own is on a's last key.
    expected = {"b": ["# the second option, cheap", "# the third option: self-hosted", "# the fourth option"],
                "c": ["# the second option, cheap", "# the fourth option"],
                "d": ["# the second option, cheap", "# the third option: self-hosted", "# the fourth option"]}
    for dropped, comments in expected.items():
        doc = yaml.safe_load(text)
        doc["options"] = [o for o in doc["options"] if o["id"] != dropped]
        out = updated_text(text, doc)
        assert yaml.safe_load(out) == doc
        kept = [line.strip() for line in out.splitlines() if line.strip().startswith("#")]
        assert kept == comments, (dropped, out)
