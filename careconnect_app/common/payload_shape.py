"""Whether an event's payload fits the handler's annotated parameters (plain Python, no Reflex).

Any client can send any handler any JSON. `call_problem` compares the payload with the handler's
signature and type hints before the handler runs: unknown or missing arguments, a string where a
number is expected, a list where a dict is, values nested or sized far beyond anything the pages
send. It answers with a short description of the first problem (for one log line), or None.

Supported hints: Any, None, bool, int, float, str, Literal, unions / Optional, list[T], tuple,
dict[K, V], TypedDict (required keys present and typed; a form's other inputs within the
size limits) and plain classes (isinstance). Each hint is turned into a checking function once
(cached): the check runs on Reflex's event loop, for every event, so it must stay cheap (a
5,000-point signature is checked in a few milliseconds).
"""

from __future__ import annotations

import functools
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

Check = Callable[[Any, int], "str | None"]  # (value, depth) -> why it does not fit, or None


def _required_keys(hint: Any) -> set[str]:
    """A TypedDict's required keys, also where `from __future__ import annotations` hides NotRequired
    from the class itself (Python 3.11 then counts every key as required)."""
    required = set()
    for key, field in typing.get_type_hints(hint, include_extras=True).items():
        marker = typing.get_origin(field)
        if marker is typing.Required or (marker is not typing.NotRequired and hint.__total__):
            required.add(key)
    return required


def _untyped(value: Any, depth: int) -> str | None:
    """Size and depth limits for a value whose type is free (Any)."""
    if depth > MAX_DEPTH:
        return "nested too deep"
    if isinstance(value, str):
        return f"text of {len(value)} characters" if len(value) > MAX_TEXT else None
    if isinstance(value, (list, dict)):
        if len(value) > MAX_ITEMS:
            return f"{type(value).__name__} of {len(value)} items"
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            if (problem := _untyped(item, depth + 1)) is not None:
                return problem
    return None


def _scalar(hint: type) -> Check:
    name = hint.__name__

    def check(value: Any, depth: int) -> str | None:
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
        return None if ok else f"expected {name}, got {type(value).__name__}"

    return check


def _typed_dict(hint: Any) -> Check:
    fields = {key: checker(field) for key, field in typing.get_type_hints(hint).items()}
    required = _required_keys(hint)

    def check(value: Any, depth: int) -> str | None:
        if not isinstance(value, dict):
            return f"expected an object, got {type(value).__name__}"
        if len(value) > MAX_ITEMS:
            return f"object of {len(value)} keys"
        missing = sorted(required - value.keys())
        if missing:
            return f"missing field(s) {', '.join(missing)}"
        # Other keys are let through within the size limits: Reflex adds a form's inputs by id too.
        for key, item in value.items():
            if (problem := fields.get(key, _untyped)(item, depth + 1)) is not None:
                return f"{str(key)[:30]}: {problem}"
        return None

    return check


# Exact types a JSON number or flag of each kind may arrive as (bool is not a number here).
_FAST_ITEM_TYPES = {float: frozenset({int, float}), int: frozenset({int}), bool: frozenset({bool})}


def _all_of(rows: list, types_: frozenset[type], nested: bool) -> bool:
    """Whether every item (of every row, when nested) has one of `types_`: one tight loop."""
    for row in rows:
        if not nested:
            if type(row) not in types_:
                return False
            continue
        if type(row) is not list or len(row) > MAX_ITEMS:
            return False
        for item in row:
            if type(item) not in types_:
                return False
    return True


def _sequence(item_hint: Any) -> Check:
    item_check = checker(item_hint)
    inner = typing.get_args(item_hint)[0] if typing.get_origin(item_hint) is list else None
    fast, nested = (_FAST_ITEM_TYPES.get(item_hint), False) if inner is None else (_FAST_ITEM_TYPES.get(inner), True)

    def check(value: Any, depth: int) -> str | None:
        if not isinstance(value, list):
            return f"expected a list, got {type(value).__name__}"
        if len(value) > MAX_ITEMS:
            return f"list of {len(value)} items"
        if fast is not None and _all_of(value, fast, nested):
            return None  # the common case (a signature's points) without a call per number
        for item in value:
            if (problem := item_check(item, depth + 1)) is not None:
                return f"[item] {problem}"
        return None

    return check


def _mapping(key_hint: Any, item_hint: Any) -> Check:
    key_check, item_check = checker(key_hint), checker(item_hint)

    def check(value: Any, depth: int) -> str | None:
        if not isinstance(value, dict):
            return f"expected an object, got {type(value).__name__}"
        if len(value) > MAX_ITEMS:
            return f"object of {len(value)} keys"
        for key, item in value.items():
            problem = key_check(key, depth + 1) or item_check(item, depth + 1)
            if problem is not None:
                return f"[{str(key)[:30]}] {problem}"
        return None

    return check


def _union(members: tuple[Any, ...]) -> Check:
    checks = [checker(member) for member in members]

    def check(value: Any, depth: int) -> str | None:
        problems = []
        for one in checks:
            if (problem := one(value, depth)) is None:
                return None
            problems.append(problem)
        return " or ".join(problems)[:200]

    return check


def _literal(allowed: tuple[Any, ...]) -> Check:
    return lambda value, depth: None if value in allowed else f"not one of {allowed}"


def _null(value: Any, depth: int) -> str | None:
    return None if value is None else f"expected null, got {type(value).__name__}"


def _anything_else(value: Any, depth: int) -> str | None:
    return None  # a hint we cannot check (a TypeVar ...): the handler must


def _compile(hint: Any) -> Check:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or hint is object or hint is inspect.Parameter.empty:
        return _untyped
    if hint is None or hint is type(None):
        return _null
    if origin in (typing.Union, types.UnionType):
        return _union(args)
    if origin is typing.Literal:
        return _literal(args)
    if is_typeddict(hint):
        return _typed_dict(hint)
    if (origin or hint) in (list, tuple, set, frozenset):
        return _sequence(args[0] if args and (origin or hint) is not tuple else Any)
    if (origin or hint) in (dict, Mapping):
        return _mapping(*(args if len(args) == 2 else (Any, Any)))
    if isinstance(hint, type):
        return _scalar(hint)
    return _anything_else


def checker(hint: Any) -> Check:
    """The checking function for a hint (made once per hint)."""
    try:
        return _cached_checker(hint)
    except TypeError:  # an unhashable hint (Annotated with a dict ...): made again each time
        return _compile(hint)


@functools.lru_cache(maxsize=1024)
def _cached_checker(hint: Any) -> Check:
    return _compile(hint)


def value_problem(value: Any, hint: Any, depth: int = 0) -> str | None:
    """Why `value` does not fit `hint`, or None when it does."""
    if depth > MAX_DEPTH:
        return "nested too deep"
    return checker(hint)(value, depth)


@functools.lru_cache(maxsize=1024)
def _parameters(fn: Callable[..., Any]) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """(argument names, required ones, takes **kwargs) of a handler, without self."""
    parameters = list(inspect.signature(fn).parameters.values())[1:]
    named = [p for p in parameters if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    required = tuple(p.name for p in named if p.default is inspect.Parameter.empty)
    return frozenset(p.name for p in named), required, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def call_problem(fn: Callable[..., Any], payload: Any, hints: Mapping[str, Any] | None = None) -> str | None:
    """Why `fn(self, **payload)` should not run, or None: arguments by name, then each value's type."""
    if not isinstance(payload, dict):
        return f"payload is {type(payload).__name__}, not an object"
    names, required, takes_kwargs = _parameters(fn)
    if takes_kwargs:
        return "handler takes **kwargs (not checkable)"
    unknown = sorted(str(key) for key in payload if key not in names)
    if unknown:
        return f"unknown argument(s) {', '.join(unknown)[:80]}"
    missing = [name for name in required if name not in payload]
    if missing:
        return f"missing argument(s) {', '.join(missing)}"
    hints = typing.get_type_hints(fn) if hints is None else hints
    for name, value in payload.items():
        if (problem := value_problem(value, hints.get(name, Any))) is not None:
            return f"{name}: {problem}"
    return None
