"""quick keys: the till's own arrangement of one-tap items

Revision ID: 0011_quick_keys
Revises: 0010_payment_intents
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_quick_keys'
down_revision = '0010_payment_intents'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quick_keys',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('terminal_id', 'position')
    )


def downgrade() -> None:
    op.drop_table('quick_keys')
