"""/portal/sheets/<id>: the day grid (draft), submit, recall, resend, in-person signing, the
parents' problem reports, the messages sent and the signed evidence with downloads.

One substate per panel, each beside its UI: header (SheetState, the guard), grid, links,
messages, evidence; page.py composes them.
"""

from careconnect_app.pages.portal.sheet.header import SheetState
from careconnect_app.pages.portal.sheet.page import sheet_page

__all__ = ["SheetState", "sheet_page"]
