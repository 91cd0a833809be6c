"""The wizard's steps and forms as plain data: the step indicator's items, waits in minutes (no Reflex)."""

from __future__ import annotations

from typing import TypedDict

from careconnect_app.i18n import t

STEPS_WITH_VERIFY = ("landing", "verify", "review", "sign")
STEPS_WITHOUT_VERIFY = ("landing", "review", "sign")


class CodeForm(TypedDict):
    """The verification form."""

    code: str


class ProblemForm(TypedDict):
    """The "report a problem" form."""

    problem: str


def position(requires_verification: bool, step: str) -> tuple[tuple[str, ...], int]:
    """The indicator's steps and the index of the current one (done shows on the last step)."""
    steps = STEPS_WITH_VERIFY if requires_verification else STEPS_WITHOUT_VERIFY
    current = "sign" if step == "done" else step
    return steps, steps.index(current) if current in steps else 0


def step_items(locale: str, requires_verification: bool, step: str) -> list[dict[str, str]]:
    """Steps for the indicator with their state for this moment, in `locale`."""
    steps, index = position(requires_verification, step)
    items = []
    for n, name in enumerate(steps):
        state = "done" if (n < index or step == "done") else "current" if n == index else "todo"
        sr = t(f"parent.step_{state}_sr", locale) if state != "todo" else ""  # no text for steps still to do
        items.append({"label": t(f"parent.step.{name}", locale), "state": state, "n": str(n + 1), "sr": sr})
    return items


def progress_text(locale: str, requires_verification: bool, step: str) -> str:
    """"Step 2 of 4" for screen readers."""
    steps, index = position(requires_verification, step)
    return t("parent.step_of", locale, n=index + 1, total=len(steps))


def wait_minutes(seconds: int) -> int:
    """A wait as the messages say it (at least one minute)."""
    return max(1, round(seconds / 60))


def missing_parts(signed: bool, consented: bool, certified: bool) -> list[str]:
    """What SUBMIT still needs, as translation keys (its explanation reads them out)."""
    missing = [] if signed else ["parent.sign.missing_signature"]
    missing += [] if consented else ["parent.sign.missing_consent"]
    return missing + ([] if certified else ["parent.sign.missing_certify"])
