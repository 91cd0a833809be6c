"""attendance taps: check-in, check-out and absence taps from today's board

One row per tap, unique on the device's idempotency key, so a tap queued offline and sent again
after a lost answer is recorded exactly once.

Revision ID: 0010
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "attendancetap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tapped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("device_tapped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("absence_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.ForeignKeyConstraint(["sheet_id"], ["attendancesheet.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["portaluser.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attendancetap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendancetap_idempotency_key"), ["idempotency_key"], unique=True)
        batch_op.create_index(batch_op.f("ix_attendancetap_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendancetap_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendancetap_sheet_id"), ["sheet_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attendancetap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendancetap_sheet_id"))
        batch_op.drop_index(batch_op.f("ix_attendancetap_provider_id"))
        batch_op.drop_index(batch_op.f("ix_attendancetap_child_id"))
        batch_op.drop_index(batch_op.f("ix_attendancetap_idempotency_key"))
    op.drop_table("attendancetap")
