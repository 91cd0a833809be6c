"""Staff logins managed in the portal: who may invite and deactivate whom, the one-time link, the audit."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlmodel import select

from careconnect_app.db import session_scope
from careconnect_app.messaging import outbox
from careconnect_app.models import AuditEvent, OutgoingMessage, PortalSession, PortalUser, StaffInvite
from careconnect_app.portal import accounts, staff
from careconnect_app.statuses import MessageStatus, StaffStatus


def _user(s, email: str) -> PortalUser:
    return s.exec(select(PortalUser).where(PortalUser.email == email)).one()


def _owner(s) -> PortalUser:
    owner = _user(s, "a@prov.example")
    owner.is_owner = True
    s.add(owner)
    return owner


def _token_in_latest_invite(s) -> str:
    message = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "staff_invite")
                     .order_by(OutgoingMessage.id.desc())).first()
    return re.search(r"/portal/invite/([A-Za-z0-9_\-]+)", message.text).group(1)


def test_owner_invites_staff_of_their_own_provider_only(world):
    with session_scope() as s:
        owner = _owner(s)
        # A provider choice from the browser is ignored: staff always join the owner's provider.
        done = staff.invite(s, owner, email="New.Hire@Prov.example", name=" Jo  Smith ", role_choice=str(world["B"]["provider"]),
                            owner=False, ip="10.0.0.9")
        assert not done.errors and done.message_ids
        user = done.user
        assert (user.email, user.name, user.provider_id, user.active) == ("new.hire@prov.example", "Jo Smith",
                                                                           world["A"]["provider"], False)
        assert staff.status_of(s, user) == StaffStatus.INVITED
        message = s.get(OutgoingMessage, done.message_ids[0])
        assert message.to == "new.hire@prov.example" and message.kind == "staff_invite"
        event = s.exec(select(AuditEvent).where(AuditEvent.event == "staff_invited")).one()
        assert event.user_id == owner.id and event.ip == "10.0.0.9"
        assert json.loads(event.detail)["staff_user_id"] == user.id
        # The same email again is refused in place.
        again = staff.invite(s, owner, email="new.hire@prov.example", name="Jo", role_choice="", owner=False)
        assert again.errors == {"email": "account.error.exists"}


def test_staff_who_are_not_owners_manage_nobody(world):
    with session_scope() as s:
        plain = _user(s, "a@prov.example")
        assert not staff.can_manage(plain)
        assert staff.invite(s, plain, email="x@prov.example", name="X", role_choice="", owner=False).errors == {
            "form": "staff.error.not_allowed"}
        other = _user(s, "b@prov.example")
        assert staff.deactivate(s, plain, other.id).errors
        assert [m.user.email for m in staff.staff_of(s, plain)] == ["a@prov.example"]


def test_admin_manages_the_agencys_logins_not_another_agencys_nor_their_own(world):
    with session_scope() as s:
        admin = _user(s, "admin@one.example")
        invited = staff.invite(s, admin, email="colleague@one.example", name="Co", role_choice=staff.ADMIN_CHOICE,
                               owner=True)
        assert invited.user.role == "agency_admin" and invited.user.provider_id is None and not invited.user.is_owner
        owner_b = staff.invite(s, admin, email="owner@b.example", name="Bo", role_choice=str(world["B"]["provider"]),
                               owner=True)
        assert owner_b.user.provider_id == world["B"]["provider"] and owner_b.user.is_owner
        outside = staff.invite(s, admin, email="c@c.example", name="C", role_choice=str(world["C"]["provider"]),
                               owner=False)
        assert outside.errors == {"role": "account.error.provider"}
        assert staff.deactivate(s, admin, admin.id).errors  # never their own login
        emails = {m.user.email for m in staff.staff_of(s, admin)}
        assert {"a@prov.example", "b@prov.example", "colleague@one.example", "owner@b.example"} <= emails


def test_invitation_link_sets_the_password_once(world):
    with session_scope() as s:
        done = staff.invite(s, _owner(s), email="jo@prov.example", name="Jo", role_choice="", owner=False)
        token = _token_in_latest_invite(s)
        assert staff.open_invite(s, token) is not None
        assert staff.accept_invite(s, token, "short", "short").errors == {"password": "account.error.password_short"}
        assert staff.accept_invite(s, token, "password123", "password123").errors == {
            "password": "account.error.password_common"}  # the rules of a change or a reset
        assert staff.accept_invite(s, token, "long-enough-1", "long-enough-2").errors == {"repeat": "invite.error.mismatch"}
        assert not staff.accept_invite(s, token, "long-enough-1", "long-enough-1", ip="10.1.1.1").errors
        assert staff.accept_invite(s, token, "another-pass-1", "another-pass-1").errors == {"form": "invite.error.invalid"}
        assert staff.status_of(s, done.user) == StaffStatus.ACTIVE
        assert accounts.login(s, "jo@prov.example", "long-enough-1").ok
        assert s.exec(select(StaffInvite)).one().token_hash != token  # only the hash is stored


def test_expired_and_resent_invitations(world):
    with session_scope() as s:
        owner = _owner(s)
        done = staff.invite(s, owner, email="jo@prov.example", name="Jo", role_choice="", owner=False)
        first = _token_in_latest_invite(s)
        row = s.exec(select(StaffInvite)).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
        s.add(row)
        s.flush()
        assert staff.open_invite(s, first) is None
        assert staff.status_of(s, done.user) == StaffStatus.INVITE_EXPIRED
        staff.deactivate(s, owner, done.user.id)
        assert staff.status_of(s, done.user) == StaffStatus.DEACTIVATED
        # Reactivating a login that never chose a password sends a new invitation.
        again = staff.reactivate(s, owner, done.user.id)
        assert again.message_ids and staff.status_of(s, done.user) == StaffStatus.INVITED
        second = _token_in_latest_invite(s)
        assert second != first and staff.open_invite(s, second) is not None


def test_deactivation_ends_sessions_at_once_and_reactivation_restores_the_login(world):
    with session_scope() as s:
        owner = _owner(s)
        colleague = accounts.create_user(s, email="co@prov.example", name="Co", password="colleague-pass",
                                         role="provider", agency_id=owner.agency_id, provider_id=owner.provider_id)
        token = accounts.login(s, "co@prov.example", "colleague-pass").token
        assert accounts.session_user(s, token) is not None
        assert not staff.deactivate(s, owner, colleague.id, ip="10.0.0.2").errors
        assert accounts.session_user(s, token) is None
        assert s.exec(select(PortalSession).where(PortalSession.user_id == colleague.id)).one().revoked_at
        assert not accounts.login(s, "co@prov.example", "colleague-pass").ok
        assert staff.status_of(s, colleague) == StaffStatus.DEACTIVATED
        assert not staff.reactivate(s, owner, colleague.id).errors
        assert accounts.login(s, "co@prov.example", "colleague-pass").ok
        events = [e.event for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]
        assert "staff_deactivated" in events and "staff_reactivated" in events


def test_unknown_invitation_tokens_are_rate_limited_per_address(world):
    with session_scope() as s:
        for _ in range(staff.INVITE_MISS_LIMIT):
            assert staff.open_invite(s, "nope", ip="10.9.9.9") is None
        staff.invite(s, _owner(s), email="jo@prov.example", name="Jo", role_choice="", owner=False)
        token = _token_in_latest_invite(s)
        assert staff.open_invite(s, token, ip="10.9.9.9") is None  # that address is blocked for a while
        assert staff.open_invite(s, token, ip="10.9.9.10") is not None


def test_a_sent_invitation_keeps_no_working_link_in_the_database(world, database):
    """Issue 8: no recoverable copy of a token. The sent email has the link; the stored row no longer does."""
    with session_scope() as s:
        done = staff.invite(s, _owner(s), email="kim@prov.example", name="Kim", role_choice="", owner=False)
    outbox.deliver_now(done.message_ids)
    sent = [json.loads(line) for line in database.outbox.read_text().splitlines()]
    token = re.search(r"/portal/invite/([A-Za-z0-9_\-]+)", sent[-1]["text"]).group(1)
    with session_scope() as s:
        stored = s.get(OutgoingMessage, done.message_ids[0])
        assert stored.status == MessageStatus.SENT and stored.text == outbox.ERASED_BODY
        assert token not in stored.text + stored.html
        assert staff.open_invite(s, token) is not None  # the link that was sent still works
