"""Only the state a page needs is stored in Redis for a browser tab.

Reflex stores, for each tab, every state an event assigned to. A page load (hydrate) resets every
cookie-backed var of every state to its default before applying the browser's cookies, and an
assignment counts as a change even when the value was already the default, so the provider
portal's state (its session cookie var) was stored for every parent who opened a signing link.
The reset below assigns only what differs from the default: the same values, no needless write.
(The other half: no computed vars outside the pages that need them, see pages/portal/dashboard.py;
no translations in state, see components/words.py.)
"""

from __future__ import annotations

from reflex.state import BaseState


def _reset_client_storage(self: BaseState) -> None:
    """Reset the cookie and browser-storage vars that hold a value, in this state and below."""
    fields = self.get_fields()
    for name in self.base_vars:
        field = fields[name]
        if self._is_client_storage(field) and getattr(self, name) != field.default_value():
            setattr(self, name, field.default_value())
    for substate in self.substates.values():
        substate._reset_client_storage()


def install() -> None:
    """Use the reset above for every state (Reflex refuses a state that overrides it itself)."""
    BaseState._reset_client_storage = _reset_client_storage
