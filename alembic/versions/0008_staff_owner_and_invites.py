"""portal staff: an owner flag on provider logins, and one-time invitation links

Existing provider logins become owners, so every provider can manage its own staff at once.

Revision ID: 0008
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("portaluser", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_owner", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE portaluser SET is_owner = TRUE WHERE role = 'provider'")
    op.create_table(
        "staffinvite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("invited_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["invited_by_user_id"], ["portaluser.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["portaluser.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staffinvite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staffinvite_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_staffinvite_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staffinvite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staffinvite_user_id"))
        batch_op.drop_index(batch_op.f("ix_staffinvite_token_hash"))
    op.drop_table("staffinvite")
    with op.batch_alter_table("portaluser", schema=None) as batch_op:
        batch_op.drop_column("is_owner")
