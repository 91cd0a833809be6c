"""A page's words in its language, compiled into the page instead of kept in every tab's state.

States used to carry their area's translations as a dict var: ~7 KB per browser tab, stored in
Redis with the tab's state, read and written with every event, and sent again on every page load.
Here `T["key"]` compiles to both translations inlined in the page, picked in the browser by the
state's `locale` var, so the state holds two letters instead. A key missing from
translations/en fails when the app compiles, not as a blank on a parent's phone.

    T = words(SignState, "parent")
    rx.heading(T["landing.title"])
"""

from __future__ import annotations

import reflex as rx

from careconnect_app import i18n


class Words:
    """`T["key"]` -> the text of "<area>.<key>" in the page's language, as a Var."""

    def __init__(self, locale: rx.Var, area: str):
        self.locale = locale
        self.area = area

    def __getitem__(self, key: str) -> rx.Var:
        name = f"{self.area}.{key}"
        english = i18n.catalog("en").get(name)
        if english is None:
            raise KeyError(f"no text {name!r} in translations/en/{self.area}.json")
        spanish = i18n.catalog("es").get(name) or english
        if spanish == english:
            return rx.Var.create(english)
        return rx.cond(self.locale == "es", spanish, english)

    def table(self, *keys: str) -> rx.Var:
        """The texts whose keys are in `keys` or start with one ending in "." (e.g. "today."), as one
        dict Var in the page's language (for a component that looks its words up itself)."""
        english = {k: v for k, v in i18n.area("en", self.area).items()
                   if k in keys or any(p.endswith(".") and k.startswith(p) for p in keys)}
        missing = [k for k in keys if not k.endswith(".") and k not in english]
        if missing:
            raise KeyError(f"no text {missing!r} in translations/en/{self.area}.json")
        spanish = {k: i18n.area("es", self.area).get(k) or v for k, v in english.items()}
        return rx.cond(self.locale == "es", spanish, english)


def other_language(locale: rx.Var) -> rx.Var:
    """The language a page's switch offers: the other one than the page shows now."""
    return rx.cond(locale == "es", "en", "es")


def words(state: type[rx.State], area: str) -> Words:
    """The words of `area` (translations/<locale>/<area>.json) in the language of `state.locale`."""
    return Words(state.locale, area)
