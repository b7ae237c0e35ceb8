"""category colours: tile colours and category order from the catalog

Revision ID: 0013_category_colours
Revises: 0012_audit_anchor
Create Date: 2026-12-02

`catalog_items` gains the item's own tile colour (`#RRGGBB`, null: its category's);
`catalog_categories` keeps each category's colour and position as the server's delta (or
the seed CSV) sets them. Both start empty: the grid shows the palette colours it did
before until the next pull brings the catalog's (a till pulling from version 0 gets them
all; one that is up to date gets them when the shop sets a colour, which bumps the version).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_category_colours'
down_revision = '0012_audit_anchor'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: catalog_items keeps its rowids, so the FTS index stays valid.
    op.add_column('catalog_items', sa.Column('colour', sa.String(length=7), nullable=True))
    op.create_table('catalog_categories',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=True),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('catalog_categories')
    op.drop_column('catalog_items', 'colour')
