"""Whether an event's payload fits the handler's annotated parameters (plain Python, no Reflex).

Any client can send any handler any JSON. `call_problem` compares the payload with the handler's
signature and type hints before the handler runs: unknown or missing arguments, a string where a
number is expected, a list where a dict is, values nested or sized far beyond anything the pages
send. It answers with a short description of the first problem (for one log line), or None.

Supported hints: Any, None, bool, int, float, str, Literal, unions / Optional, list[T], tuple,
dict[K, V], TypedDict (required keys present and typed; a form's other inputs within the
size limits) and plain classes (isinstance).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from typing_extensions import is_typeddict

# Far above what any page sends (a signature is at most 5,000 points), far below harm.
MAX_DEPTH = 8
MAX_ITEMS = 10_000
MAX_TEXT = 20_000


def _union_members(hint: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return None


def _required_keys(hint: Any) -> set[str]:
    """A TypedDict's required keys, also where `from __future__ import annotations` hides NotRequired
    from the class itself (Python 3.11 then counts every key as required)."""
    required = set()
    for key, field in typing.get_type_hints(hint, include_extras=True).items():
        marker = typing.get_origin(field)
        if marker is typing.Required or (marker is not typing.NotRequired and hint.__total__):
            required.add(key)
    return required


def _typed_dict_problem(value: Any, hint: Any, depth: int) -> str | None:
    if not isinstance(value, dict):
        return f"expected an object, got {type(value).__name__}"
    if len(value) > MAX_ITEMS:
        return f"object of {len(value)} keys"
    fields = typing.get_type_hints(hint)
    missing = sorted(_required_keys(hint) - value.keys())
    if missing:
        return f"missing field(s) {', '.join(missing)}"
    # Other keys are let through within the size limits: Reflex adds a form's inputs by id too.
    for key, item in value.items():
        if (problem := value_problem(item, fields.get(key, Any), depth + 1)) is not None:
            return f"{str(key)[:30]}: {problem}"
    return None


def _container_problem(value: Any, hint: Any, depth: int) -> str | None:
    origin = typing.get_origin(hint) or hint
    args = typing.get_args(hint)
    if origin in (list, tuple, set, frozenset):
        if not isinstance(value, list):
            return f"expected a list, got {type(value).__name__}"
        if len(value) > MAX_ITEMS:
            return f"list of {len(value)} items"
        item_hint = args[0] if args and origin is not tuple else Any
        for item in value:
            if (problem := value_problem(item, item_hint, depth + 1)) is not None:
                return f"[item] {problem}"
        return None
    if not isinstance(value, dict):
        return f"expected an object, got {type(value).__name__}"
    if len(value) > MAX_ITEMS:
        return f"object of {len(value)} keys"
    key_hint, item_hint = args if len(args) == 2 else (Any, Any)
    for key, item in value.items():
        problem = value_problem(key, key_hint, depth + 1) or value_problem(item, item_hint, depth + 1)
        if problem is not None:
            return f"[{str(key)[:30]}] {problem}"
    return None


def _scalar_problem(value: Any, hint: Any) -> str | None:
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is str:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"text of {len(value)} characters"
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, hint)
    return None if ok else f"expected {getattr(hint, '__name__', hint)}, got {type(value).__name__}"


def _untyped_problem(value: Any, depth: int) -> str | None:
    """Size and depth limits for a value whose type is free (Any)."""
    if depth > MAX_DEPTH:
        return "nested too deep"
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return f"text of {len(value)} characters"
    if isinstance(value, (list, dict)):
        if len(value) > MAX_ITEMS:
            return f"{type(value).__name__} of {len(value)} items"
        items = value.values() if isinstance(value, dict) else value
        return next((p for p in (_untyped_problem(item, depth + 1) for item in items) if p), None)
    return None


def value_problem(value: Any, hint: Any, depth: int = 0) -> str | None:
    """Why `value` does not fit `hint`, or None when it does."""
    if depth > MAX_DEPTH:
        return "nested too deep"
    if hint is Any or hint is object or hint is inspect.Parameter.empty:
        return _untyped_problem(value, depth)
    if hint is None or hint is type(None):
        return None if value is None else f"expected null, got {type(value).__name__}"
    if (members := _union_members(hint)) is not None:
        problems = [value_problem(value, member, depth) for member in members]
        return None if any(p is None for p in problems) else " or ".join(p for p in problems if p)[:200]
    if typing.get_origin(hint) is typing.Literal:
        return None if value in typing.get_args(hint) else f"not one of {typing.get_args(hint)}"
    if is_typeddict(hint):
        return _typed_dict_problem(value, hint, depth)
    if (typing.get_origin(hint) or hint) in (list, tuple, set, frozenset, dict, Mapping):
        return _container_problem(value, hint, depth)
    if isinstance(hint, type):
        return _scalar_problem(value, hint)
    return None  # a hint we cannot check (a TypeVar ...): the handler must


def call_problem(fn: Callable[..., Any], payload: Any, hints: Mapping[str, Any] | None = None) -> str | None:
    """Why `fn(self, **payload)` should not run, or None: arguments by name, then each value's type."""
    if not isinstance(payload, dict):
        return f"payload is {type(payload).__name__}, not an object"
    parameters = list(inspect.signature(fn).parameters.values())[1:]  # without self
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return "handler takes **kwargs (not checkable)"
    names = {p.name for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL}
    unknown = sorted(str(key) for key in payload if key not in names)
    if unknown:
        return f"unknown argument(s) {', '.join(unknown)[:80]}"
    missing = [p.name for p in parameters if p.default is inspect.Parameter.empty and p.name not in payload
               and p.kind is not inspect.Parameter.VAR_POSITIONAL]
    if missing:
        return f"missing argument(s) {', '.join(missing)}"
    hints = typing.get_type_hints(fn) if hints is None else hints
    for name, value in payload.items():
        if (problem := value_problem(value, hints.get(name, Any))) is not None:
            return f"{name}: {problem}"
    return None
