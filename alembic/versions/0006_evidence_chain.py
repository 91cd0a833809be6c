"""evidence anyone can verify: hash-chained audit events, signed manifests, message attachments

- auditevent gets prev_hash and hash; existing events are chained in id order (one chain per
  sheet, one for events without a sheet) and each chain gets its head row (auditchainhead);
- signature gets the evidence manifest (canonical JSON, Ed25519 signature, key id); signatures
  made before this revision have none (verification says so);
- outgoingmessage gets attachments (what to attach, rendered at send time);
- PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE on auditevent and signature.

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Union

import sqlalchemy as sa
import sqlmodel

from alembic import op
from careconnect_app.common.audit import chain_of, event_hash

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY_TABLES = ("auditevent", "signature")

_events = sa.table(
    "auditevent",
    sa.column("id", sa.Integer()), sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("event", sa.String()), sa.column("actor", sa.String()), sa.column("sheet_id", sa.Integer()),
    sa.column("signing_request_id", sa.Integer()), sa.column("user_id", sa.Integer()),
    sa.column("ip", sa.String()), sa.column("user_agent", sa.String()), sa.column("channel", sa.String()),
    sa.column("detail", sa.String()), sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
)
_heads = sa.table("auditchainhead", sa.column("chain", sa.String()), sa.column("last_hash", sa.String()),
                  sa.column("last_event_id", sa.Integer()), sa.column("length", sa.Integer()))


def _text_column(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("auditevent") as batch:
        batch.add_column(sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch.create_index("ix_auditevent_hash", ["hash"], unique=False)
    with op.batch_alter_table("signature") as batch:
        batch.add_column(_text_column("manifest_json"))
        empty_bytes = "''::bytea" if op.get_bind().dialect.name == "postgresql" else "x''"
        batch.add_column(sa.Column("manifest_signature", sa.LargeBinary(), nullable=False,
                                   server_default=sa.text(empty_bytes)))
        batch.add_column(sa.Column("manifest_key_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("outgoingmessage") as batch:
        batch.add_column(_text_column("attachments"))
    op.create_table(
        "auditchainhead",
        sa.Column("chain", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain"),
    )
    _chain_existing_events()
    if op.get_bind().dialect.name == "postgresql":
        _create_triggers()


def _chain_existing_events() -> None:
    """Give the events written before this revision their chain, in the order they were written."""
    conn = op.get_bind()
    heads: dict[str, dict] = {}
    for row in conn.execute(sa.select(_events).order_by(_events.c.id)):
        chain = chain_of(row.sheet_id)
        head = heads.setdefault(chain, {"chain": chain, "last_hash": "", "last_event_id": None, "length": 0})
        event = SimpleNamespace(**{**row._mapping, "prev_hash": head["last_hash"]})
        digest = event_hash(event)
        conn.execute(_events.update().where(_events.c.id == row.id).values(prev_hash=head["last_hash"], hash=digest))
        head.update(last_hash=digest, last_event_id=row.id, length=head["length"] + 1)
    if heads:
        conn.execute(_heads.insert(), list(heads.values()))


def _create_triggers() -> None:
    op.execute("""
        CREATE FUNCTION careconnect_refuse_evidence_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'careconnect: % on % is refused: evidence is append-only', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    for table in APPEND_ONLY_TABLES:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION careconnect_refuse_evidence_change()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION careconnect_refuse_evidence_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS careconnect_refuse_evidence_change()")
    op.drop_table("auditchainhead")
    with op.batch_alter_table("outgoingmessage") as batch:
        batch.drop_column("attachments")
    with op.batch_alter_table("signature") as batch:
        batch.drop_column("manifest_key_id")
        batch.drop_column("manifest_signature")
        batch.drop_column("manifest_json")
    with op.batch_alter_table("auditevent") as batch:
        batch.drop_index("ix_auditevent_hash")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
