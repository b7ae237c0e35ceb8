"""category colours: tile colours from the catalog

Revision ID: 0010_category_colours
Revises: 0009_audit_search

`items` gains the item's own tile colour (`#RRGGBB`, null: its category's). `categories`
holds, per store and category name, the tile colour and the position among the categories
that tills show, with the catalog version that last changed it (deltas carry the
categories changed after `since`, as they do tax rates). Nothing to fill in: a store
without rows keeps the tills' own colours.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0010_category_colours"
down_revision: Union[str, Sequence[str], None] = "0009_audit_search"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("colour", sa.String(length=7), nullable=True))
    op.create_table(
        "categories",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.store_id"], name=op.f("fk_categories_store_id_stores")),
        sa.PrimaryKeyConstraint("store_id", "name", name=op.f("pk_categories")),
    )
    op.create_index("ix_categories_store_version", "categories", ["store_id", "version"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_categories_store_version", table_name="categories")
    op.drop_table("categories")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("colour")
