"""in-person signing setting; link tokens made per message; no readable token anywhere; one sheet per child and period

- agency.allow_in_person_signing (off).
- linktoken: the SHA-256 of each link token, per signing request and purpose (sign / "not me");
  the hash every request had moves there, so links already sent keep working.
- signingrequest loses token_hash and token_ciphertext (the token encrypted under a key derived
  from the app secret: with the secret, a backup gave working links); gains the guardian's
  "this was not me" answer.
- verificationcode.message_id: the message whose sending makes the code.
- outgoingmessage: links and codes already stored in text/html are replaced by the slot the
  delivery worker fills at send time (a message still queued gets a fresh link when it is sent).
- a unique index on attendancesheet (child_id, period_start, period_end). Two sheets for the same
  child and period cannot be merged by a program (which attendance is true is a person's call),
  so the upgrade stops and names them if there are any.

Revision ID: 0003
Revises: 0008 (written on 0002; follows the staff migration that landed first)
"""
import re
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# As messaging.backends.base.SECRET_SLOT (a migration does not import the app's code).
SECRET_SLOT = "{{secret}}"
SIGN_TOKEN = re.compile(r"(/sign/)[A-Za-z0-9_-]{20,}")
CODE = re.compile(r"(?<![\d-])\d{6}(?![\d-])")
LINK_KINDS = ("ready_to_sign", "reminder", "resend")


def _refuse_duplicate_sheets(conn) -> None:
    duplicates = conn.execute(sa.text(
        "SELECT child_id, period_start, period_end, COUNT(*) FROM attendancesheet "
        "GROUP BY child_id, period_start, period_end HAVING COUNT(*) > 1")).all()
    if duplicates:
        listed = "; ".join(f"child {c} {s}..{e}: {n} sheets" for c, s, e, n in duplicates)
        raise RuntimeError(
            "Cannot add the one-sheet-per-child-and-period rule: these children have several sheets for "
            f"the same period ({listed}). Decide which sheet is right, move or delete the others "
            "(never a signed one), then start the app again.")


def _erase_stored_secrets(conn) -> None:
    rows = conn.execute(sa.text(
        "SELECT id, kind, text, html FROM outgoingmessage WHERE kind IN "
        "('ready_to_sign', 'reminder', 'resend', 'verification_code')")).all()
    for mid, kind, body, html in rows:
        pattern, replacement = (SIGN_TOKEN, r"\g<1>" + SECRET_SLOT) if kind in LINK_KINDS else (CODE, SECRET_SLOT)
        new_body, new_html = pattern.sub(replacement, body or ""), pattern.sub(replacement, html or "")
        if (new_body, new_html) != (body, html):
            conn.execute(sa.text("UPDATE outgoingmessage SET text = :t, html = :h WHERE id = :i"),
                         {"t": new_body, "h": new_html, "i": mid})


def upgrade() -> None:
    conn = op.get_bind()
    _refuse_duplicate_sheets(conn)
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("allow_in_person_signing", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))

    op.create_table(
        "linktoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signing_request_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["signing_request_id"], ["signingrequest.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["outgoingmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("linktoken") as batch:
        batch.create_index("ix_linktoken_signing_request_id", ["signing_request_id"], unique=False)
        batch.create_index("ix_linktoken_token_hash", ["token_hash"], unique=True)
        batch.create_index("ix_linktoken_message_id", ["message_id"], unique=False)
    conn.execute(sa.text(
        "INSERT INTO linktoken (signing_request_id, purpose, token_hash, created_at) "
        "SELECT id, 'sign', token_hash, created_at FROM signingrequest"))

    with op.batch_alter_table("signingrequest") as batch:
        batch.drop_index("ix_signingrequest_token_hash")
        batch.drop_column("token_hash")
        batch.drop_column("token_ciphertext")
        batch.add_column(sa.Column("signature_disputed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("signature_dispute_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default=""))

    with op.batch_alter_table("verificationcode") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_verificationcode_message_id", "outgoingmessage", ["message_id"], ["id"])
        batch.create_index("ix_verificationcode_message_id", ["message_id"], unique=False)

    _erase_stored_secrets(conn)
    op.create_index("uq_attendancesheet_child_period", "attendancesheet",
                    ["child_id", "period_start", "period_end"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_attendancesheet_child_period", table_name="attendancesheet")
    with op.batch_alter_table("verificationcode") as batch:
        batch.drop_index("ix_verificationcode_message_id")
        batch.drop_constraint("fk_verificationcode_message_id", type_="foreignkey")
        batch.drop_column("message_id")
    with op.batch_alter_table("signingrequest") as batch:
        batch.drop_column("signature_dispute_text")
        batch.drop_column("signature_disputed_at")
        batch.add_column(sa.Column("token_ciphertext", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # Each request gets back the hash of its first sign token (the links it sent later are lost).
    op.execute("""
        UPDATE signingrequest SET token_hash = (
            SELECT token_hash FROM linktoken WHERE linktoken.signing_request_id = signingrequest.id
              AND linktoken.purpose = 'sign' ORDER BY linktoken.id LIMIT 1)
    """)
    op.execute("UPDATE signingrequest SET token_hash = 'gone-' || id WHERE token_hash IS NULL")
    with op.batch_alter_table("signingrequest") as batch:
        batch.alter_column("token_hash", nullable=False)
        batch.create_index("ix_signingrequest_token_hash", ["token_hash"], unique=True)
    op.drop_table("linktoken")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("allow_in_person_signing")
