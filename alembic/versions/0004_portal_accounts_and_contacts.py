"""portal accounts (second factor, idle sessions, growing delays, password reset) and contact changes

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("require_provider_2fa", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("require_contact_change_approval", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("signature") as batch:
        batch.add_column(sa.Column("code_destination_masked", _TEXT(), nullable=False, server_default=""))
    with op.batch_alter_table("portaluser") as batch:
        batch.add_column(sa.Column("totp_secret_ciphertext", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("totp_pending_ciphertext", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("totp_enabled_at", _TIME(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("password_changed_at", _TIME(), nullable=True))
    with op.batch_alter_table("portalsession") as batch:
        batch.add_column(sa.Column("stage", _TEXT(), nullable=False, server_default="full"))
        batch.add_column(sa.Column("last_seen_at", _TIME(), nullable=True))
    # Sessions open at the upgrade count as seen when they were created.
    op.execute("UPDATE portalsession SET last_seen_at = created_at")
    with op.batch_alter_table("portalsession") as batch:
        batch.alter_column("last_seen_at", existing_type=_TIME(), nullable=False)

    op.create_table(
        "recoverycode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", _TEXT(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("used_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["portaluser.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recoverycode_user_id", "recoverycode", ["user_id"])
    op.create_index("ix_recoverycode_code_hash", "recoverycode", ["code_hash"])

    op.create_table(
        "passwordreset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _TEXT(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.Column("used_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["portaluser.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_passwordreset_user_id", "passwordreset", ["user_id"])
    op.create_index("ix_passwordreset_token_hash", "passwordreset", ["token_hash"], unique=True)

    op.create_table(
        "loginthrottle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _TEXT(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _TIME(), nullable=True),
        sa.Column("next_attempt_at", _TIME(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_loginthrottle_key", "loginthrottle", ["key"], unique=True)

    op.create_table(
        "contactchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=False),
        sa.Column("old_email", _TEXT(), nullable=False),
        sa.Column("old_phone", _TEXT(), nullable=False),
        sa.Column("new_email", _TEXT(), nullable=False),
        sa.Column("new_phone", _TEXT(), nullable=False),
        sa.Column("status", _TEXT(), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", _TIME(), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["guardian_id"], ["guardian.id"]),
        sa.ForeignKeyConstraint(["requested_by_user_id"], ["portaluser.id"]),
        sa.ForeignKeyConstraint(["decided_by_user_id"], ["portaluser.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contactchange_guardian_id", "contactchange", ["guardian_id"])
    op.create_index("ix_contactchange_status", "contactchange", ["status"])


def downgrade() -> None:
    op.drop_table("contactchange")
    op.drop_table("loginthrottle")
    op.drop_table("passwordreset")
    op.drop_table("recoverycode")
    with op.batch_alter_table("portalsession") as batch:
        batch.drop_column("last_seen_at")
        batch.drop_column("stage")
    with op.batch_alter_table("portaluser") as batch:
        for column in ("password_changed_at", "totp_last_step", "totp_enabled_at", "totp_pending_ciphertext",
                       "totp_secret_ciphertext"):
            batch.drop_column(column)
    with op.batch_alter_table("signature") as batch:
        batch.drop_column("code_destination_masked")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("require_contact_change_approval")
        batch.drop_column("require_provider_2fa")
