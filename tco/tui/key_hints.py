"""The key a hint names: the one that does the action now, not the one the code was written with."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import key_to_character


def key_for(node: DOMNode, binding_id: str) -> str:
    """The key that does `binding_id` now, as hints write it: the user's keymap first (tco.tui.keymap), else the
    default key of the binding in the node's class, the app's or a screen open; `!` for `exclamation_mark`.

    Why: a hint written with the default key ("ctrl+s saves it", a button labelled `(y)`) goes stale, and in a
    confirmation misleads, once the user remaps the key."""
    app = node.app
    keymap = getattr(app, "keymap", None)
    keys = keymap.bindings.get(binding_id) if keymap is not None else None
    if not keys:
        classes = [type(node), type(app), *(type(screen) for screen in app.screen_stack)]
        keys = next((b.key for c in classes for b in getattr(c, "BINDINGS", [])
                     if isinstance(b, Binding) and b.id == binding_id), binding_id)
    first = keys.split(",")[0].strip()
    character = key_to_character(first)
    return character if character and character.isprintable() and not character.isspace() else first
