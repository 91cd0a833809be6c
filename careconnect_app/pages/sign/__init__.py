"""The parent signing wizard at /sign/<token>.

state.py    SignState: the page's vars and event handlers (database work on a worker thread), with
            its mixins notices.py (the message slots and the live region) and pad.py (the drawing
            or typed name, and the two boxes)
actions.py  what each event does in the database, as plain functions (no Reflex)
view.py     what the page shows for a link, read as plain data (no Reflex)
recovery.py what keeps the wizard going: a lost tab state, a database away for a moment, a code
            the delivery worker has not sent yet
page.py     the page: a link's outcome or the wizard, with its frame
parts.py, landing.py, verify.py, review.py, sign_step.py, done.py   the UI, one module per step
"""
