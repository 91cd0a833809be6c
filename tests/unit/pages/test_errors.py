"""pages/errors.py: a failed handler's message reaches the page without a script the CSP refuses."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from reflex.utils.format import format_event_handler

from careconnect_app import i18n
from careconnect_app.components.frame import SERVICE_NOTICE_ID, service_notice
from careconnect_app.db import DatabaseUnavailable
from careconnect_app.pages.errors import backend_error


def _sent(spec) -> tuple[str, dict[str, object]]:
    """The browser-side event a spec becomes, and its arguments."""
    return format_event_handler(spec.handler), {name._js_expr: value._var_value for name, value in spec.args}


@pytest.mark.parametrize("exception", [RedisConnectionError("Error 111 connecting"), DatabaseUnavailable("away")])
def test_an_outage_is_written_into_the_frames_notice_in_both_languages(exception):
    name, args = _sent(backend_error(exception))
    assert name == "_set_value"  # not _call_script / _call_function: those run through eval
    assert args["ref"] == f"ref_{SERVICE_NOTICE_ID.replace('-', '_')}"
    for locale in i18n.SUPPORTED_LOCALES:
        assert i18n.t("portal.error.unavailable", locale) in args["value"]


def test_any_other_failure_says_so_plainly_and_is_logged_with_its_traceback(caplog):
    try:
        raise ValueError("a bug")
    except ValueError as exc:
        name, args = _sent(backend_error(exc))
    assert name == "_set_value"
    assert "a bug" not in args["value"]  # the person gets plain words, the log gets the detail
    assert i18n.t("portal.error.unexpected", "es") in args["value"]
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


def test_the_notice_is_an_output_the_set_value_event_can_find_and_ok_empties_it_in_the_browser():
    rendered = str(service_notice())
    ref = f"ref_{SERVICE_NOTICE_ID.replace('-', '_')}"
    assert '"output"' in rendered and f'id:"{SERVICE_NOTICE_ID}"' in rendered and f"ref:{ref}," in rendered
    # OK is a browser-side event (no trip to a server that may be away): the notice's value set to "".
    assert f'ReflexEvent("_set_value", ({{ ["ref"] : "{ref}", ["value"] : "" }})' in rendered
