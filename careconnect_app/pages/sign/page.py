"""The parent signing page at /sign/<token>: a link's outcome, or the wizard
(landing, verify, review, sign, done)."""

from __future__ import annotations

import reflex as rx

from careconnect_app.components.layout import announcer, call_link, card, language_switch, parent_frame, status_message
from careconnect_app.components.page_reload import page_reload
from careconnect_app.components.session_cookie import session_cookie
from careconnect_app.components.step_indicator import step_indicator
from careconnect_app.pages.sign.done import done
from careconnect_app.pages.sign.landing import landing
from careconnect_app.pages.sign.parts import S, T
from careconnect_app.pages.sign.review import review
from careconnect_app.pages.sign.sign_step import sign_step
from careconnect_app.pages.sign.verify import verify
from careconnect_app.statuses import PARENT_VIEW, LinkStatus


def wizard() -> rx.Component:
    return rx.vstack(
        rx.cond(S.in_person, rx.callout(T["in_person_banner"], icon="tablet-smartphone", width="100%")),
        rx.cond(
            S.step != "done",
            step_indicator(S.step_items, T["steps_label"], S.progress_text),
        ),
        rx.match(
            S.step,
            ("verify", verify()),
            ("review", review()),
            ("sign", sign_step()),
            ("done", done()),
            landing(),
        ),
        width="100%",
        spacing="3",
    )


# Outcomes shown as a title and a body; ok (the wizard), signed (the done card) and disputed
# (with the parent's own words) have their own views.
_PLAIN_OUTCOMES = tuple(s for s in LinkStatus if s not in (LinkStatus.OK, LinkStatus.SIGNED, LinkStatus.DISPUTED,
                                                          LinkStatus.UNKNOWN))


def _outcome(status: LinkStatus) -> rx.Component:
    """A link outcome: its icon and colour from the exhaustive PARENT_VIEW map, its words by status."""
    view = PARENT_VIEW[status]
    # Where the family is known, the provider is one tap away (expired, recalled, replaced ...).
    call = call_link(S.call_label, S.provider_phone_href)
    extra = () if status in (LinkStatus.UNKNOWN, LinkStatus.RATE_LIMITED) else (call,)
    return status_message(T[f"status.{status}.title"], S.status_body, view.icon, view.tone, *extra)


def _disputed() -> rx.Component:
    return rx.vstack(
        _outcome(LinkStatus.DISPUTED),
        rx.cond(S.dispute_text != "", card(
            rx.text(T["status.disputed.your_message"], size="2", class_name="cc-muted"),
            rx.blockquote(S.dispute_text),
        )),
        width="100%",
    )


def by_status() -> rx.Component:
    return rx.match(
        S.status,
        ("loading", rx.center(rx.spinner(size="3"), rx.text(T["loading"]), padding="3rem", gap="12px")),
        (LinkStatus.OK, wizard()),
        # A signed link: the receipt, or verifying again to get the signed copy.
        (LinkStatus.SIGNED, rx.cond(S.step == "verify", verify(), done())),
        *[(status, _outcome(status)) for status in _PLAIN_OUTCOMES],
        (LinkStatus.DISPUTED, _disputed()),
        _outcome(LinkStatus.UNKNOWN),
    )


def _footer() -> rx.Component:
    return rx.vstack(
        # The phone in a sentence where the page has one; a page without it shows the call button instead.
        rx.cond((S.provider_phone_href != "") & (S.footer_help != ""), rx.text(
            S.footer_help, " ", rx.link(S.provider_phone, href=S.provider_phone_href, class_name="cc-nowrap",
                                       underline="always"),
            size="2", class_name="cc-muted")),
        rx.text(T["footer.privacy"], size="2", class_name="cc-muted"),
        rx.link(T["guide.title"], href=S.guide_href, size="2", id="footer-guide"),
        margin_top="1.5rem",
        spacing="2",
    )


def _notice() -> rx.Component:
    """Page-wide news: the connection was restored, or the server is away for a moment (the page's
    live region says it)."""
    return rx.cond(S.notice != "", rx.callout(S.notice, icon="info", color_scheme="amber",
                                              width="100%", margin_bottom="0.75rem", id="notice"))


def sign_page() -> rx.Component:
    return parent_frame(
        announcer(S.announcement),
        _notice(),
        by_status(),
        _footer(),
        session_cookie(S.cookie_ticket, S.cookie_stored),
        page_reload(S.reload_to, S.clean_url, S.status),
        header_right=language_switch(T["switch_to"], T["switch_to_label"], S.choose_language, S.locale),
        skip_label=T["skip_to_content"],
        lang=S.locale,
        title=T["app_name"],
    )
