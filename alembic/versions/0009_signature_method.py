"""how the signature was made: drawn on the pad or a typed name adopted as the signature

Revision ID: 0009
Revises: 0010
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Every signature stored before this revision was drawn.
    with op.batch_alter_table("signature") as batch:
        batch.add_column(sa.Column("signature_method", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="drawn"))
        batch.add_column(sa.Column("typed_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("signature") as batch:
        batch.drop_column("typed_name")
        batch.drop_column("signature_method")
