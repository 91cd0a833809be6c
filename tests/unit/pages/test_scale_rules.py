"""Rules of issue 10 that every page keeps, including pages written after it: handlers queue
messages and never send them (the delivery worker does), and no state carries its words."""

from __future__ import annotations

import ast
from pathlib import Path

PAGES = Path(__file__).resolve().parents[3] / "careconnect_app" / "pages"
SENDS = {"deliver_now", "deliver_due", "deliver_one", "send_claimed"}


def _sends(tree: ast.Module) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in SENDS]


def _word_vars(tree: ast.Module) -> list[int]:
    return [node.lineno for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef) for node in cls.body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "tr"]


def _found(scan) -> list[str]:
    return [f"{path.relative_to(PAGES)}:{line}" for path in sorted(PAGES.rglob("*.py"))
            for line in scan(ast.parse(path.read_text(encoding="utf-8")))]


def test_no_page_sends_a_message_itself():
    assert _found(_sends) == []


def test_no_page_state_keeps_its_words():
    """Words are compiled into the page (components/words.py): a `tr` var would be stored and sent
    for every tab, and a parent's tab would carry the portal's words."""
    assert _found(_word_vars) == []


def test_the_scans_find_a_send_and_a_words_var():
    tree = ast.parse("class S:\n    tr: dict = {}\n\n    def f(self):\n        outbox.deliver_now([1])\n")
    assert _sends(tree) == [5] and _word_vars(tree) == [2]
