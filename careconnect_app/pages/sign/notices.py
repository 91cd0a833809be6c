"""The wizard's messages: each slot on the page is set by translation key(s), so a language switch
re-renders it, and a new message is said once through the page's one live region."""

from __future__ import annotations

import reflex as rx

from careconnect_app import i18n
from careconnect_app.pages import state_tools


class WizardNotices(rx.State, mixin=True):
    """Message slots (notice, verify_info, verify_error, problem_error, review_notice, sign_error,
    typed_error) and the live region (`announcement`)."""

    notice: str = ""  # page-wide: the connection was restored, or the server is away for a moment
    verify_info: str = ""  # where the code went, or that it is on its way
    verify_error: str = ""  # a wrong or expired code, too many tries, a send that failed
    review_notice: str = ""  # the attendance changed while it was on screen: look again
    problem_error: str = ""  # the problem report is empty or too long
    typed_error: str = ""  # the typed name is empty, or not made of letters a name has
    sign_error: str = ""  # what SUBMIT still needs (a signature, the boxes), or why it failed
    # The page's one live region: each status change is said once, here (screen readers).
    announcement: str = ""

    locale: str = "en"  # the page's words follow it (components.words), they are not state
    # slot -> (translation keys, values): re-rendered when the language changes.
    _messages: dict[str, tuple[tuple[str, ...], dict]] = {}

    def _say(self, slot: str, *keys: str, announce: bool = True, **values) -> None:
        """Set a message slot by key(s). No key clears it. A new message is also announced, once,
        through the page's live region (unless `announce` is False: a quiet correction)."""
        keys = tuple(key for key in keys if key)
        if keys:
            self._messages[slot] = (keys, values)
        else:
            self._messages.pop(slot, None)
        text = self._words(keys, values)
        if getattr(self, slot) != text:
            setattr(self, slot, text)
        if text and announce:
            self._announce(text)

    def _said(self, slot: str) -> tuple[str, ...]:
        """The keys a slot shows now (() when empty)."""
        return self._messages.get(slot, ((), {}))[0]

    def _words(self, keys: tuple[str, ...], values: dict) -> str:
        return " ".join(i18n.t(key, self.locale, **values) for key in keys)

    def _announce(self, text: str) -> None:
        self.announcement = state_tools.said_again(self.announcement, text)

    def _reword(self) -> None:
        """Every message slot again, in the current language."""
        for slot, (keys, values) in list(self._messages.items()):
            setattr(self, slot, self._words(keys, values))
