"""Every form's submit button: disabled until the page's JavaScript has taken over.

Before then a tap (or Enter in a field) would submit the form natively: the browser posts to
the page's own address, which the app does not answer, and the typed password or code is gone.
HTML blocks implicit submission too while the default button is disabled.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import VarData

# Set by an effect, which runs only in the browser once React has taken over the page: false in the
# prerendered HTML and while React hydrates it (the two match), then true for good. Not
# rx.State.is_hydrated: that turns false on every navigation and reconnect until the page's loads
# answer, so a tap then is lost, and a page whose loads were lost (Redis restarted empty) could never
# send the event that reloads it.
PAGE_READY = rx.Var(
    _js_expr="ccPageReady",
    _var_type=bool,
    _var_data=VarData(
        imports={"react": ["useEffect", "useState"]},
        hooks={"const [ccPageReady, setCcPageReady] = useState(false);": None,
               "useEffect(() => setCcPageReady(true), []);": None},
    ),
).to(bool)


def submit_button(*children, disabled: rx.Var | bool | None = None, **props) -> rx.Component:
    """A `type="submit"` button that also waits for the page; `disabled` adds the caller's own rule."""
    props["disabled"] = ~PAGE_READY if disabled is None else ~PAGE_READY | disabled
    return rx.button(*children, type="submit", **props)
