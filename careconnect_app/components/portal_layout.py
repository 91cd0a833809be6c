"""Page frame for the provider portal: skip link, header with navigation, language and log out.

Tables with class "pt-table" become stacked cards under 700 px (each cell shows its data-label).
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from careconnect_app import routes
from careconnect_app.components.frame import brand, centred_column, header_bar, page_frame
from careconnect_app.components.idle_guard import idle_guard
from careconnect_app.components.layout import check_row, language_switch
from careconnect_app.components.pwa import manifest_links
from careconnect_app.components.submit_button import submit_button
from careconnect_app.components.words import words
from careconnect_app.statuses import PORTAL_STATUS_TONE

PORTAL_MAX_WIDTH = "72rem"

PORTAL_CSS = """
.pt-table { width: 100%; border-collapse: collapse; }
.pt-table td { overflow-wrap: anywhere; }
.pt-table th, .pt-table td { text-align: left; padding: 8px 8px; border-bottom: 1px solid var(--gray-5); vertical-align: middle; }
.pt-table th { font-size: 0.85rem; color: var(--gray-11); font-weight: 600; }
.pt-nav a { padding: 8px 10px; border-radius: 6px; text-decoration: none; color: var(--gray-12); min-height: 44px; display: inline-flex; align-items: center; }
.pt-nav a[aria-current="page"] { background: var(--accent-3); color: var(--accent-12); font-weight: 600; }
.pt-day { border-bottom: 1px solid var(--gray-5); padding: 6px 0; }
.pt-day[data-weekend="true"] { background: var(--gray-2); }
.pt-day[data-error="true"] { background: var(--red-2); }
.pt-time { width: 6.5rem; }
.pt-day-row { display: grid; grid-template-columns: minmax(5.5rem, auto) 1fr auto; align-items: center; gap: 4px 8px;
  grid-template-areas: "label actions hours" "times times times"; }
.pt-day-label { grid-area: label; }
.pt-day-actions { grid-area: actions; }
.pt-day-times { grid-area: times; }
.pt-day-hours { grid-area: hours; text-align: right; white-space: nowrap; }
.pt-grid-head { font-size: 0.85rem; font-weight: 600; color: var(--gray-11); padding: 4px 8px; }
.pt-grid-head .pt-day-label { display: none; }
.pt-col { width: 6.5rem; }
@media (min-width: 700px) {
  .pt-day-row { grid-template-columns: 7.5rem auto 1fr 6rem; grid-template-areas: "label times actions hours"; }
  .pt-grid-head .pt-day-label { display: block; }
}
.pt-summary { min-height: 44px; display: flex; align-items: center; gap: 8px; cursor: pointer; font-weight: 700;
  font-size: 1.1rem; list-style: none; }
.pt-summary::-webkit-details-marker { display: none; }
.pt-summary::before { content: "▸"; font-size: 0.9rem; }
.pt-details[open] > .pt-summary::before { content: "▾"; }
.pt-input { min-height: 44px; }
.pt-input input { font-size: 1rem; }
.pt-readonly-days td { white-space: pre-line; }
@media (max-width: 700px) {
  .pt-table thead { display: none; }
  .pt-table, .pt-table tbody, .pt-table tr, .pt-table td { display: block; width: 100%; }
  .pt-table tr { border: 1px solid var(--gray-6); border-radius: 8px; margin-bottom: 10px; padding: 6px 10px; background: var(--color-background); }
  .pt-table td { border: none; padding: 4px 0; display: flex; justify-content: space-between; gap: 12px; text-align: right; }
  .pt-table td::before { content: attr(data-label); font-weight: 600; color: var(--gray-11); text-align: left;
    flex: 0 0 auto; max-width: 45%; overflow-wrap: normal; }  /* "Email" must not break as "Emai/l" */
  .pt-table td[data-label=""]::before { content: none; }
}
"""


def nav_link(label, href: str, current: bool) -> rx.Component:
    props = {"aria-current": "page"} if current else {}
    return rx.el.a(label, href=href, custom_attrs=props)


def _language_and_logout(tr, signed_in, on_logout, on_choose_language, locale) -> rx.Component:
    return rx.hstack(
        language_switch(tr["language.switch"], None, on_choose_language, locale, id="portal-language", size="2",
                        min_height="40px"),
        rx.cond(
            signed_in,
            rx.button(tr["nav.logout"], on_click=on_logout, variant="outline", size="2",
                      id="logout", min_height="40px"),
        ),
        spacing="2",
        align="center",
        wrap="wrap",  # a phone at 200 % zoom is 195 px wide
    )


def _navigation(tr, is_admin, current: str) -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.cond(is_admin, rx.fragment(), nav_link(tr["nav.today"], routes.PORTAL_TODAY, current == "today")),
            nav_link(tr["nav.dashboard"], routes.PORTAL, current == "dashboard"),
            nav_link(tr["nav.children"], routes.PORTAL_CHILDREN, current == "children"),
            nav_link(tr["nav.staff"], routes.PORTAL_STAFF, current == "staff"),
            rx.cond(is_admin, nav_link(tr["nav.settings"], routes.PORTAL_SETTINGS, current == "settings")),
            nav_link(tr["nav.account"], routes.PORTAL_ACCOUNT, current == "account"),
            spacing="1",
            wrap="wrap",
        ),
        class_name="pt-nav",
        aria_label=tr["nav.label"],
    )


def portal_frame(
    *children: rx.Component,
    tr,
    signed_in,
    user_name,
    scope_label,
    is_admin,
    current: str,
    on_logout,
    on_choose_language,
    locale,
) -> rx.Component:
    """Header (brand, who is signed in, navigation, language, log out) and a wide main column."""
    header = rx.vstack(
        header_bar(brand("clipboard-check", tr["brand"]),
                   _language_and_logout(tr, signed_in, on_logout, on_choose_language, locale)),
        rx.cond(
            signed_in,
            rx.hstack(
                _navigation(tr, is_admin, current),
                rx.text(user_name, " · ", scope_label, size="2", color_scheme="gray", id="signed-in-as"),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
                gap="0.25rem",
            ),
        ),
        width="100%",
        **centred_column(PORTAL_MAX_WIDTH),
        padding_y="0.6rem",
        spacing="2",
    )
    return page_frame(*children, header=header, skip_label=tr["skip"], lang=locale, max_width=PORTAL_MAX_WIDTH,
                      head=(rx.el.style(PORTAL_CSS), *manifest_links()))


def signed_in_frame(state, *children: rx.Component, current: str) -> rx.Component:
    """portal_frame for a page whose state derives from PortalState (the signed-in user's header),
    with the idle warning."""
    return portal_frame(
        *children, idle_guard(state), tr=words(state, "portal"), signed_in=state.signed_in, user_name=state.user_name, scope_label=state.scope_label,
        is_admin=state.is_admin, current=current, on_logout=state.logout, on_choose_language=state.choose_language,
        locale=state.locale,
    )


def page_heading(text, **props) -> rx.Component:
    return rx.heading(text, as_="h1", size="6", id="page-heading", tab_index=-1, **props)


def section(*children: rx.Component, **props) -> rx.Component:
    props.setdefault("width", "100%")
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), size="2", **props)


def notice(message, tone: str = "blue", icon: str = "info", **props) -> rx.Component:
    """A message shown only when non-empty (role=status, or alert for red)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=tone, role="alert" if tone == "red" else "status",
                   width="100%", **props),
    )


def labelled(label, control: rx.Component, *, html_for: str, error=None, hint=None) -> rx.Component:
    """A visible label above its control, with an optional hint and an in-place error."""
    items = [rx.el.label(label, html_for=html_for, style={"fontWeight": "500", "fontSize": "0.9rem"}), control]
    if hint is not None:
        items.append(rx.text(hint, size="1", color_scheme="gray"))
    if error is not None:
        items.append(rx.cond(error != "", rx.text(error, color_scheme="red", size="2", role="alert",
                                                   id=f"{html_for}-error")))
    return rx.vstack(*items, spacing="1", width="100%", align="stretch")


def password_input(label, input_id: str, name: str, *, complete: str = "new-password", hint=None,
                   error=None) -> rx.Component:
    """A labelled password field of a form (read from the submitted form, 44 px high)."""
    return labelled(label, rx.input(id=input_id, name=name, type="password", auto_complete=complete, required=True,
                                    size="3", height="44px", width="100%"),
                    html_for=input_id, hint=hint, error=error)


# Native selects look like the Radix inputs beside them.
SELECT_STYLE = {"minHeight": "40px", "padding": "6px", "borderRadius": "6px", "width": "100%"}


def cell(label, *children: rx.Component, **props) -> rx.Component:
    """A table cell; under 700 px wide the table becomes cards and each cell shows its label."""
    return rx.el.td(*children, custom_attrs={"data-label": label}, **props)


def data_table(headings: list, rows, row: Callable[..., rx.Component], *, action_heading=None,
               **table_props) -> rx.Component:
    """A "pt-table" of `rows` (a list Var) drawn by `row`, scrolling sideways when it does not fit.

    `action_heading`: the screen-reader name of a last column of buttons.
    """
    heads = [rx.el.th(text, scope="col") for text in headings]
    if action_heading is not None:
        heads.append(rx.el.th(rx.el.span(action_heading, class_name="cc-sr-only"), scope="col"))
    return rx.box(
        rx.el.table(rx.el.thead(rx.el.tr(*heads)), rx.el.tbody(rx.foreach(rows, row)), class_name="pt-table",
                    **table_props),
        overflow_x="auto",
        width="100%",
    )


def certify_box(text, *, checked, on_change, id: str) -> rx.Component:
    """The provider's certification checkbox, its long text as its label."""
    return check_row(text, checked=checked, on_change=on_change, id=id, text_size="2",
                     style={"display": "flex", "gap": "10px", "alignItems": "flex-start", "cursor": "pointer"})


def confirm_dialog(trigger: rx.Component, *, title, body, confirm_label, cancel_label, on_confirm, id: str,
                   tone: str = "orange", details: rx.Component | None = None) -> rx.Component:
    """A button that asks first: `trigger` opens a dialog saying what will happen (`body`, then any
    `details`); only its confirm button runs `on_confirm` (Escape and Cancel close it, focus returns
    to the trigger)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(body, size="2"),
            *([details] if details is not None else []),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(cancel_label, variant="soft", color_scheme="gray",
                                                 min_height="44px", id=f"{id}-cancel")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme=tone, on_click=on_confirm,
                                                 high_contrast=True, min_height="44px", id=f"{id}-confirm")),
                spacing="3", justify="end", wrap="wrap", margin_top="1rem",
            ),
            max_width="30rem",
            id=id,
        ),
    )


def disclosure(summary, *children: rx.Component, id: str, open=False) -> rx.Component:
    """A section closed by default (long lists on a phone): its summary is a 44 px button."""
    return rx.el.details(
        rx.el.summary(summary, class_name="pt-summary"),
        rx.vstack(*children, spacing="3", width="100%", padding_top="0.5rem"),
        id=id,
        open=open,
        class_name="pt-details",
    )


def status_badge(status, label) -> rx.Component:
    """A sheet's portal status, coloured by PORTAL_STATUS_TONE."""
    return rx.match(
        status,
        *[(s, rx.badge(label, color_scheme=tone, size="2", variant="soft", high_contrast=True))
          for s, tone in PORTAL_STATUS_TONE.items()],
        rx.badge(label, size="2", high_contrast=True),
    )


def stacked_form(*fields: rx.Component, submit_label, submit_id: str, on_submit, keep_values: bool = True,
                 full_width_button: bool = True) -> rx.Component:
    """A form of full-width fields over one 44 px submit button.

    `keep_values=False` empties the fields after submit (one-time codes must not linger on screen).
    """
    button_width = "100%" if full_width_button else "auto"
    return rx.form(
        rx.vstack(
            *fields,
            submit_button(submit_label, size="3", width=button_width, id=submit_id, min_height="44px"),
            spacing="3", width="100%",
        ),
        method="post", on_submit=on_submit, reset_on_submit=not keep_values, width="100%",
    )
