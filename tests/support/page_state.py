"""A page's Reflex state as its handlers meet it, without a server: a state tree Reflex made from
nothing (a new tab, or one whose state Redis lost), on a websocket and a page's address if given."""

from __future__ import annotations

from reflex.state import State


def fresh_state(cls: type[State], socket_id: str = "", path: str = "") -> State:
    root = State(_reflex_internal_init=True)
    if path:
        router_data = {"sid": socket_id, "pathname": path, "asPath": path, "query": {}, "headers": {}, "token": "tab"}
        root.router_data = router_data
        root._update_router_vars(router_data, {})
    return root.get_substate(cls.get_full_name().split(".")[1:])
