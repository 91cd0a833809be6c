"""The page that failed to draw: our fallback and our report, never Reflex's reload through eval."""

from __future__ import annotations

import logging

from careconnect_app.components.page_error import page_error_boundary
from careconnect_app.pages.errors import PageErrorState


def test_the_error_boundary_shows_our_page_and_reports_without_eval():
    rendered = str(page_error_boundary(PageErrorState.report))
    assert "jsx(PageError" in rendered and "page_error_state.report" in rendered
    assert "frontend_event_exception_state" not in rendered  # Reflex's: answers with call_script (eval)
    imports = page_error_boundary(PageErrorState.report)._get_all_imports()
    assert "$/public/page_error.jsx" in imports


def test_a_report_is_one_bounded_log_line(caplog):
    state = PageErrorState(_reflex_internal_init=True)
    with caplog.at_level(logging.WARNING, logger="careconnect_app.pages.errors"):
        PageErrorState.report.fn(state, "TypeError: x\n" + "y" * 5000, "\n   at SignPage (page.jsx)\n at App")
    (record,) = caplog.records
    assert "SignPage" in record.getMessage() and len(record.getMessage()) < 900
    assert "\n" not in record.getMessage()
