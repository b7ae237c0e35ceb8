"""back office: office accounts, the session-signing key, a locale per store

Revision ID: 0005_backoffice_office_users
Revises: 0004_stock_integrity

`office_users`: the people who sign in to the back office (scrypt password hash, a role
of pos_protocol.permissions, a session epoch that logout bumps). `office_keys`: the key
that signs their session cookies, shared by every server process. `stores.locale`: how
the back office writes the store's amounts and dates (Babel locale, default `en`).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0005_backoffice_office_users"
down_revision: Union[str, Sequence[str], None] = "0004_stock"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "office_users",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_office_users")),
    )
    op.create_table(
        "office_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_office_keys")),
    )
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), server_default="en", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("locale")
    op.drop_table("office_keys")
    op.drop_table("office_users")
