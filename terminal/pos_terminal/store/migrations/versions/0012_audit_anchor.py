"""the audit journal's anchor, and its entries queued for the server

Revision ID: 0012_audit_anchor
Revises: 0011_quick_keys
Create Date: 2026-12-02

`audit_anchor` is one row naming the journal's last entry (seq and hash), kept by every
append from now on, so `audit verify` notices a journal whose last entries were deleted.
Every entry written so far is queued in the outbox (kind `audit`, oldest first), so the
server receives the chain from its first entry on (README "The audit journal shipped");
for a till with a long history that is one outbox row per past entry, sent in batches.
"""
import json

from alembic import op
import sqlalchemy as sa

from pos_protocol.sql import UtcDateTime

revision = '0012_audit_anchor'
down_revision = '0011_quick_keys'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
AUDIT_PATH = "/v1/audit-entries"  # the path of the day (paths.AUDIT_ENTRIES)
CHUNK = 5000


def upgrade() -> None:
    op.create_table(
        'audit_anchor',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_anchor')),
    )
    conn = op.get_bind()
    journal = sa.table('audit_journal', sa.column('seq', sa.Integer), sa.column('at', UtcDateTime()),
                       sa.column('actor', sa.String), sa.column('action', sa.String),
                       sa.column('subject', sa.String), sa.column('payload', sa.Text),
                       sa.column('prev_hash', sa.String), sa.column('hash', sa.String))
    outbox = sa.table('outbox', sa.column('kind', sa.String), sa.column('idempotency_key', sa.String),
                      sa.column('method', sa.String), sa.column('path', sa.String), sa.column('body', sa.Text),
                      sa.column('created_at', UtcDateTime()), sa.column('state', sa.String),
                      sa.column('attempts', sa.Integer))
    last = (0, GENESIS)
    rows = conn.execute(sa.select(journal).order_by(journal.c.seq)).all()
    for start in range(0, len(rows), CHUNK):
        queued = [_queued(row) for row in rows[start:start + CHUNK]]
        conn.execute(sa.insert(outbox), queued)
    if rows:
        last = (rows[-1].seq, rows[-1].hash)
    conn.execute(sa.text("INSERT INTO audit_anchor (id, seq, hash) VALUES (1, :seq, :hash)"),
                 {"seq": last[0], "hash": last[1]})


def _queued(row) -> dict:
    entry = {"seq": row.seq, "at": row.at.isoformat(), "actor": row.actor, "action": row.action,
             "subject": row.subject, "payload": row.payload, "prev_hash": row.prev_hash, "hash": row.hash}
    body = json.dumps({"entries": [entry]}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"kind": "audit", "idempotency_key": row.hash, "method": "POST", "path": AUDIT_PATH, "body": body,
            "created_at": row.at, "state": "pending", "attempts": 0}


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind = 'audit'")
    op.drop_table('audit_anchor')
