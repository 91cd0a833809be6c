"""What each wizard event does in the database, as plain functions (no Reflex import).

`SignState` runs them on a worker thread with `in_session(fn, ...)`; they take and return plain
data, and the handler puts the answer on the page. Every step re-reads the request and re-checks
the link and the verification (`on_live_link`): any client can call any handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlmodel import Session

from careconnect_app import i18n
from careconnect_app.clock import utcnow
from careconnect_app.common import audit, cookie_tickets
from careconnect_app.common.masking import mask_contact
from careconnect_app.models import SigningRequest
from careconnect_app.pages.sign.view import FamilyRows, LinkView, read_view, remember_verified, verified_channel
from careconnect_app.signing import canonical, evidence, links, parent_steps, verification
from careconnect_app.statuses import Actor, LinkStatus, RequestStatus

T = TypeVar("T")
NOT_SIGNABLE = "parent.error.not_signable"
# Signing refusals after which the page shows the link as it now is (signed by another, recalled ...).
READ_BACK_AFTER = (NOT_SIGNABLE, "parent.error.signed_by_other")


@dataclass(frozen=True)
class Visit:
    """The caller of a handler, as plain data a worker thread can take."""

    request_id: int  # 0 until a link resolved
    secret: str  # the parent-session cookie ("" until this browser verified)
    locale: str
    ip: str
    user_agent: str

    def audit(self, session: Session, event: str, request: SigningRequest) -> None:
        """Record a parent's event on this request from this caller."""
        audit.record(session, event, actor=Actor.PARENT, sheet_id=request.sheet_id,
                     signing_request_id=request.id, ip=self.ip, user_agent=self.user_agent)

    def view(self, session: Session, request: SigningRequest | None, status: str,
             rows: FamilyRows | None = None) -> LinkView:
        return read_view(session, request, status, self.locale, self.secret, rows)


@dataclass(frozen=True)
class LinkChanged:
    """The link can no longer be used (expired, signed, recalled ...): show its outcome."""

    view: LinkView


@dataclass(frozen=True)
class NotVerified:
    """This browser's verification is gone: send the parent back to verify."""

    requires_verification: bool


Refusal = LinkChanged | NotVerified


def on_live_link(session: Session, visit: Visit, step: Callable[..., T], *args: Any,
                 need_verified: bool = True, allow_signed: bool = False, **kwargs: Any) -> T | Refusal:
    """`step(session, request, visit, *args, **kwargs)` if the link is usable (and verified), else why not.

    `allow_signed`: the step also runs on a signed link (verifying again for the signed copy).
    """
    request = session.get(SigningRequest, visit.request_id) if visit.request_id else None
    if request is None:
        return LinkChanged(visit.view(session, None, LinkStatus.UNKNOWN))
    status = links.status_of(request)
    if status != LinkStatus.OK and not (allow_signed and status == LinkStatus.SIGNED):
        return LinkChanged(visit.view(session, request, status))
    if need_verified and verified_channel(session, request, visit.secret) is None:
        return NotVerified(request.requires_verification)
    return step(session, request, visit, *args, **kwargs)


# --- opening the link -------------------------------------------------------------------------


@dataclass(frozen=True)
class Resume:
    """Where a reload (or a second tab) picks up, from what the database knows."""

    step: str
    code_channel: str = ""  # on the verify step: the channel of a code that can still be entered
    code_to: str = ""  # ... and its destination, masked
    reviewed_hash: str = ""  # on the sign step: the review it signs (exactly what the page shows now)
    code_message_id: int = 0  # ... and the message carrying it (the page says whether it went out)


@dataclass(frozen=True)
class Opened:
    request_id: int
    locale: str
    view: LinkView
    resume: Resume | None  # None when the link cannot be used


def open_link(session: Session, token: str, visit: Visit, *, keep_locale: bool) -> Opened:
    """Resolve the token, audit the visit, and find the step to resume at."""
    check = links.check(session, token, ip=visit.ip)
    request = check.request
    if request is None:
        return Opened(0, visit.locale, visit.view(session, None, check.status), None)
    if not keep_locale:  # until the parent picks a language, the guardian's preferred one
        guardian = FamilyRows.of(session, request).guardian  # the joined read the page needs anyway
        visit = replace(visit, locale=i18n.normalise_locale(guardian.preferred_locale))
    resume = None
    if check.ok:
        parent_steps.mark_opened(session, request, ip=visit.ip, user_agent=visit.user_agent,
                                 token_id=check.token.id if check.token else None)
        resume = _resume(session, request, visit)
    return Opened(request.id, visit.locale, visit.view(session, request, check.status), resume)


def _resume(session: Session, request: SigningRequest, visit: Visit) -> Resume:
    verified = verified_channel(session, request, visit.secret) is not None
    started = audit.has_event(session, request.id, "started")
    if verified and request.reviewed_at:
        # Back on the sign step only if what was reviewed is exactly what the page shows now.
        shown = canonical.document_hash(canonical.document_for(session, request, visit.locale))
        if parent_steps.reviewed_in(session, request, shown) is not None:
            return Resume("sign", reviewed_hash=shown)
        return Resume("review")
    if verified and started:
        return Resume("review")
    if request.requires_verification and started:
        code = verification.active_code(session, request, utcnow())
        if code is None:
            return Resume("verify")
        return Resume("verify", code.channel, mask_contact(code.channel, code.destination),
                      verification.code_message_id(session, request))
    return Resume("landing")


def reread(session: Session, visit: Visit, status: str) -> LinkView:
    """The page again (in another language), keeping the outcome on screen."""
    request = session.get(SigningRequest, visit.request_id) if visit.request_id else None
    return visit.view(session, request, status)


# --- the steps (run through on_live_link) -------------------------------------------------------


def start(session: Session, request: SigningRequest, visit: Visit) -> bool:
    """Audit the first start; True when this browser is already verified (skip to review)."""
    if not audit.has_event(session, request.id, "started"):
        visit.audit(session, "started", request)
    return verified_channel(session, request, visit.secret) is not None


def send_code(session: Session, request: SigningRequest, visit: Visit, channel: str) -> verification.SendOutcome:
    guardian = FamilyRows.of(session, request).guardian  # the joined read the message needs anyway
    return verification.send_code(session, request, guardian, channel, ip=visit.ip, user_agent=visit.user_agent,
                                  locale=visit.locale)


@dataclass(frozen=True)
class Checked:
    outcome: verification.CheckOutcome
    view: LinkView | None  # verified: the page as this browser may now see it (read in the same transaction)
    cookie_ticket: str = ""  # verified: the page trades it for the session's HttpOnly cookie (cookie_tickets)


def check_code(session: Session, request: SigningRequest, visit: Visit, code: str) -> Checked:
    outcome = verification.check_code(session, request, code, ip=visit.ip, user_agent=visit.user_agent)
    if not outcome.ok:
        return Checked(outcome, None)
    verified = replace(visit, secret=outcome.session_secret)
    remember_verified(session, request, verified.secret, outcome.channel)
    # The cookie's ticket in the same transaction as the session it carries: one commit, and never
    # a session without its ticket.
    ticket = cookie_tickets.issue(session, cookie_tickets.PARENT_SESSION_COOKIE, verified.secret,
                                  int(verification.SESSION_TTL.total_seconds()))
    return Checked(outcome, verified.view(session, request, links.status_of(request)), ticket)


def report_problem(session: Session, request: SigningRequest, visit: Visit, text: str) -> str | LinkView:
    """The error key, or the disputed page once the problem is recorded."""
    error = parent_steps.report_problem(session, request, text, ip=visit.ip, user_agent=visit.user_agent)
    return error or visit.view(session, request, LinkStatus.DISPUTED)


def mark_reviewed(session: Session, request: SigningRequest, visit: Visit, shown_hash: str) -> str | LinkView:
    """Record the review of what the page showed: its hash, or the page afresh when it was out of date."""
    recorded = parent_steps.mark_reviewed(session, request, shown_hash=shown_hash, ip=visit.ip,
                                          user_agent=visit.user_agent, locale=visit.locale)
    return recorded or visit.view(session, request, LinkStatus.OK)


def signing_channel(session: Session, request: SigningRequest, visit: Visit) -> str:
    """The channel this browser verified by ("" when the link needs no verification)."""
    return verified_channel(session, request, visit.secret) or ""


# --- signing and the parent's copy ---------------------------------------------------------------


@dataclass(frozen=True)
class Signing:
    outcome: parent_steps.SignOutcome
    view: LinkView | None  # the page read back, when the link's state is what the parent sees next


def sign(session: Session, visit: Visit, strokes: dict, typed_name: str, *, certified: bool, consented: bool,
         channel: str, reviewed_hash: str) -> Signing:
    """Sign what this page reviewed (the claiming UPDATE opens this session's transaction), then read the page back.

    The mark is the drawn `strokes`, or `typed_name` when the parent typed their name instead.
    Re-checks this browser's verification itself: a crafted event may call it directly.
    """
    request = session.get(SigningRequest, visit.request_id) if visit.request_id else None
    verified = verified_channel(session, request, visit.secret) if request is not None else None
    if verified is None or verified != channel:
        return Signing(parent_steps.SignOutcome(False, "parent.error.session"), None)
    # Held here, the family's rows are loaded once: signing (the document) and the receipt read
    # them from the session instead of the database.
    rows = FamilyRows.of(session, request)
    outcome = parent_steps.sign(
        session, visit.request_id, strokes=strokes, typed_name=typed_name, certified=certified, consented=consented,
        reviewed_hash=reviewed_hash, ip=visit.ip, user_agent=visit.user_agent, locale=visit.locale,
        verification_channel=channel,
    )
    if not (outcome.ok or outcome.already_signed or outcome.review_again or outcome.error in READ_BACK_AFTER):
        return Signing(outcome, None)
    session.commit()  # the signature is kept before anything else is read
    request = session.get(SigningRequest, visit.request_id)
    return Signing(outcome, visit.view(session, request, links.status_of(request), rows))


def sign_live(session: Session, request: SigningRequest, visit: Visit, strokes: dict, typed_name: str, *,
              certified: bool, consented: bool, reviewed_hash: str) -> Signing:
    """`sign` for a live link (run through `on_live_link`: the link guard, the verification and the
    claiming UPDATE share one transaction), with the channel this browser verified by."""
    return sign(session, visit, strokes, typed_name, certified=certified, consented=consented,
                channel=signing_channel(session, request, visit), reviewed_hash=reviewed_hash)


def signed_copy(session: Session, visit: Visit) -> evidence.CopyParts | None:
    """What a verified browser signed, for its sealed PDF copy (the download is audited); else None."""
    request = session.get(SigningRequest, visit.request_id) if visit.request_id else None
    if request is None or request.status != RequestStatus.SIGNED:
        return None
    if verified_channel(session, request, visit.secret) is None:
        return None
    signature = evidence.signature_for(session, request.id)
    visit.audit(session, "document_downloaded", request)
    return evidence.copy_parts(signature)
