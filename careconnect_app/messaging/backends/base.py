"""The delivery contract every backend implements, and its errors. A leaf: imports nothing of ours.

A backend sends one message and returns the provider's id, or raises SendError saying whether a
retry can help (permanent), what the failure says about the contact (invalid, opted out), and
whether the message may have left anyway (ambiguous: wait for its receipt before retrying).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the model is only a type here: the contract stays importable on its own
    from careconnect_app.models import OutgoingMessage


AMBIGUOUS_WAIT = timedelta(minutes=2)  # receipts usually arrive well within this

# Where a stored message's link token or code goes: the delivery worker makes the secret when it
# sends the message and a backend only ever sees the filled copy (messaging.secret_slot).
SECRET_SLOT = "{{secret}}"


def sent_as(stored_text: str) -> re.Pattern:
    """What the stored text looks like once sent, whatever secret filled its slot (a lookup after
    a lost answer compares a provider's copy with it: each attempt makes a fresh secret)."""
    return re.compile("[A-Za-z0-9_-]+".join(re.escape(part) for part in stored_text.split(SECRET_SLOT)) + r"\Z")


class SendError(Exception):
    """A failed attempt. `contact`: "invalid" (bad address/number) or "opted_out" (STOP), else ""."""

    def __init__(self, message: str, *, permanent: bool = False, contact: str = "",
                 retry_after: float | None = None, ambiguous: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.contact = contact
        # The request may have reached the provider (the answer was lost): wait for its receipt
        # (Twilio callback, SendGrid "processed") to mark the row sent before trying again.
        self.retry_after = max(retry_after or 0, AMBIGUOUS_WAIT.total_seconds()) if ambiguous else retry_after


class ConfigurationError(RuntimeError):
    def __init__(self, problems: list[str]):
        super().__init__("Message delivery is misconfigured:\n- " + "\n- ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (rendered at send time; the outbox row only says what to attach)."""

    filename: str
    content_type: str  # "application/pdf"
    data: bytes


class Backend(Protocol):
    name: str

    def send(self, message: OutgoingMessage, attachments: Sequence[Attachment] = ()) -> str:
        """Send one message with its files (email only); return the provider's message id ("" if none)."""
