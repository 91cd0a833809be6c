"""session cookies handed over through one-time tickets; when a parent's STOP/START was sent

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "cookieticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cookie_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sealed_value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("max_age_seconds", sa.Integer(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cookieticket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cookieticket_ticket_hash"), ["ticket_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_cookieticket_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_opt_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_column("sms_opt_changed_at")
    with op.batch_alter_table("cookieticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cookieticket_expires_at"))
        batch_op.drop_index(batch_op.f("ix_cookieticket_ticket_hash"))
    op.drop_table("cookieticket")
