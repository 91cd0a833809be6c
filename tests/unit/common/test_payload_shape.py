"""An event's payload checked against its handler's annotations before the handler runs."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

import pytest

from careconnect_app.common.payload_shape import MAX_ITEMS, MAX_TEXT, call_problem, value_problem


class Form(TypedDict):
    code: str
    note: NotRequired[str]


class Pad(TypedDict):
    strokes: list[list[list[float]]]
    width: float


class Handlers:
    def no_args(self): ...
    def flag(self, value: bool): ...
    def at(self, index: int, pair: int = 0): ...
    def text(self, value: str | bool): ...
    def form(self, form_data: Form): ...
    def pad(self, payload: Pad): ...
    def mode(self, value: Literal["a", "b"]): ...
    def anything(self, value: Any): ...
    def opt(self, value: dict[str, Any] | None = None): ...


@pytest.mark.parametrize("fn, payload", [
    (Handlers.no_args, {}),
    (Handlers.flag, {"value": False}),
    (Handlers.at, {"index": 3}),
    (Handlers.at, {"index": 3, "pair": 1}),
    (Handlers.text, {"value": "x"}),
    (Handlers.text, {"value": True}),
    (Handlers.form, {"form_data": {"code": "123456"}}),
    (Handlers.form, {"form_data": {"code": "1", "note": "n"}}),
    (Handlers.form, {"form_data": {"code": "1", "verification_code": "1"}}),  # Reflex adds inputs by id
    (Handlers.pad, {"payload": {"strokes": [[[0.1, 0.2, 0], [0.3, 0.4, 16]]], "width": 358}}),
    (Handlers.mode, {"value": "b"}),
    (Handlers.anything, {"value": {"a": [1, 2, {"b": None}]}}),
    (Handlers.opt, {}),
    (Handlers.opt, {"value": None}),
])
def test_what_the_pages_send_passes(fn, payload):
    assert call_problem(fn, payload) is None


@pytest.mark.parametrize("fn, payload, says", [
    (Handlers.no_args, {"x": 1}, "unknown argument"),
    (Handlers.no_args, [], "payload is list"),
    (Handlers.no_args, "x", "payload is str"),
    (Handlers.flag, {}, "missing argument"),
    (Handlers.flag, {"value": "true"}, "expected bool"),
    (Handlers.flag, {"value": 1}, "expected bool"),
    (Handlers.at, {"index": "3"}, "expected int"),
    (Handlers.at, {"index": True}, "expected int"),
    (Handlers.at, {"index": 1.5}, "expected int"),
    (Handlers.at, {"index": None}, "expected int"),
    (Handlers.text, {"value": ["x"]}, "expected"),
    (Handlers.text, {"value": "x" * (MAX_TEXT + 1)}, "characters"),
    (Handlers.form, {"form_data": "123456"}, "expected an object"),
    (Handlers.form, {"form_data": {"code": 123456}}, "expected str"),
    (Handlers.form, {"form_data": {}}, "missing field"),
    (Handlers.form, {"form_data": {"code": "1", "other": "x" * (MAX_TEXT + 1)}}, "characters"),
    (Handlers.pad, {"payload": {"strokes": "x", "width": 1}}, "expected a list"),
    (Handlers.pad, {"payload": {"strokes": [[["a", 0, 0]]], "width": 1}}, "expected float"),
    (Handlers.pad, {"payload": {"strokes": [[[0] * (MAX_ITEMS + 1)]], "width": 1}}, "items"),
    (Handlers.mode, {"value": "c"}, "not one of"),
    (Handlers.opt, {"value": []}, "expected"),
])
def test_what_the_pages_never_send_is_refused(fn, payload, says):
    problem = call_problem(fn, payload)
    assert problem is not None and says in problem


def test_deep_nesting_is_refused_even_where_anything_goes():
    value: Any = "x"
    for _ in range(50):
        value = [value]
    assert "too deep" in value_problem(value, Any)
    assert "too deep" in call_problem(Handlers.anything, {"value": value})
