"""Every form's submit button: disabled until the page's JavaScript has connected.

Before hydration a tap (or Enter in a field) would submit the form natively: the browser posts to
the page's own address, which the app does not answer, and the typed password or code is gone.
HTML blocks implicit submission too while the default button is disabled.
"""

from __future__ import annotations

import reflex as rx


def submit_button(*children, disabled: rx.Var | bool | None = None, **props) -> rx.Component:
    """A `type="submit"` button that also waits for hydration; `disabled` adds the caller's own rule."""
    not_ready = ~rx.State.is_hydrated
    props["disabled"] = not_ready if disabled is None else not_ready | disabled
    return rx.button(*children, type="submit", **props)
