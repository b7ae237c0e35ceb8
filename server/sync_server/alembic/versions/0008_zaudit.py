"""Z reconciliation and the shipped audit journal

Revision ID: 0008_zaudit
Revises: 0007_sealed_secrets

`z_reports` gains the report's `closed_at` (for reads by day; filled from the stored body),
its reconciliation status (`unchecked` for the reports already stored: they name no
orders), the differences found and when it reconciled. `z_report_missing_orders` lists the
orders a mismatched report waits for. `audit_heads` keeps the verified head of each
terminal's journal and its first break; `audit_entries` the entries of the verified chain.
"""
import json
from datetime import datetime
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from pos_protocol.sql import UtcDateTime

revision: str = '0008_zaudit'
down_revision: Union[str, Sequence[str], None] = '0007_sealed_secrets'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("z_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reconciliation", sa.String(length=16), server_default="unchecked", nullable=False))
        batch_op.add_column(sa.Column("differences", sa.Text(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("reconciled_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_z_reports_store_closed", ["store_id", "closed_at"], unique=False)
        batch_op.create_index("ix_z_reports_reconciliation", ["reconciliation"], unique=False)
    _fill_closed_at()
    op.create_table(
        "z_report_missing_orders",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["z_reports.report_id"],
                                name=op.f("fk_z_report_missing_orders_report_id_z_reports")),
        sa.PrimaryKeyConstraint("report_id", "order_id", name=op.f("pk_z_report_missing_orders")),
    )
    op.create_index("ix_z_report_missing_orders_store_order", "z_report_missing_orders",
                    ["store_id", "order_id"], unique=False)
    op.create_table(
        "audit_heads",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("head_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("broken_at_seq", sa.BigInteger(), nullable=True),
        sa.Column("broken_reason", sa.Text(), nullable=True),
        sa.Column("broken_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_audit_heads")),
    )
    op.create_index(op.f("ix_audit_heads_store_id"), "audit_heads", ["store_id"], unique=False)
    op.create_table(
        "audit_entries",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "seq", name=op.f("pk_audit_entries")),
    )


def _fill_closed_at() -> None:
    conn = op.get_bind()
    z_reports = sa.table("z_reports", sa.column("report_id", sa.String), sa.column("body", sa.Text),
                         sa.column("closed_at", UtcDateTime()))
    for report_id, body in conn.execute(sa.select(z_reports.c.report_id, z_reports.c.body)).all():
        closed = datetime.fromisoformat(json.loads(body)["closed_at"].replace("Z", "+00:00"))
        conn.execute(sa.update(z_reports).where(z_reports.c.report_id == report_id).values(closed_at=closed))


def downgrade() -> None:
    op.drop_table("audit_entries")
    op.drop_index(op.f("ix_audit_heads_store_id"), table_name="audit_heads")
    op.drop_table("audit_heads")
    op.drop_index("ix_z_report_missing_orders_store_order", table_name="z_report_missing_orders")
    op.drop_table("z_report_missing_orders")
    with op.batch_alter_table("z_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_z_reports_reconciliation")
        batch_op.drop_index("ix_z_reports_store_closed")
        batch_op.drop_column("reconciled_at")
        batch_op.drop_column("differences")
        batch_op.drop_column("reconciliation")
        batch_op.drop_column("closed_at")
