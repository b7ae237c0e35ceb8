"""Audit search: the office's own journal, and the shipped till journals by store and time

Revision ID: 0009_audit_search
Revises: 0008_zaudit

`office_actions` journals what was done from the back office or with the admin token
(staff changes, price changes, resolutions), in the change's transaction. Both it and
`audit_entries` are searched by store and time (`at`, ISO 8601 UTC text), hence an index
on (store_id, at) for each.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0009_audit_search'
down_revision: Union[str, Sequence[str], None] = '0008_zaudit'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "office_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_actions")),
    )
    op.create_index("ix_office_actions_store_at", "office_actions", ["store_id", "at"], unique=False)
    op.create_index("ix_audit_entries_store_at", "audit_entries", ["store_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_entries_store_at", table_name="audit_entries")
    op.drop_index("ix_office_actions_store_at", table_name="office_actions")
    op.drop_table("office_actions")
