"""requests closed by another guardian's signature get their own status

Before, both "replaced by a resend" and "another guardian signed" were stored as "superseded",
and the parent's page read every one as "another guardian signed". A superseded request whose
sheet was signed through another request of the same sheet version was closed by that signature.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("""
        UPDATE signingrequest SET status = 'closed'
        WHERE status = 'superseded'
          AND EXISTS (SELECT 1 FROM signingrequest AS winner
                      WHERE winner.sheet_id = signingrequest.sheet_id
                        AND winner.sheet_version = signingrequest.sheet_version
                        AND winner.status = 'signed' AND winner.id <> signingrequest.id)
    """)


def downgrade() -> None:
    op.execute("UPDATE signingrequest SET status = 'superseded' WHERE status = 'closed'")
