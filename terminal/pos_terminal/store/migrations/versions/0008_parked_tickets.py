"""parked tickets: sale tickets set aside on the till, surviving a restart

Revision ID: 0008_parked_tickets
Revises: 0007_pending_receipts
Create Date: 2026-12-02

A new table only (no change to orders or the outbox): a parked ticket is not a sale.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_parked_tickets'
down_revision = '0007_pending_receipts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('parked_tickets',
    sa.Column('park_id', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('parked_at', sa.DateTime(), nullable=False),
    sa.Column('parked_by', sa.String(length=64), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('resumed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('park_id')
    )
    op.create_index('ix_parked_tickets_terminal', 'parked_tickets', ['terminal_id', 'parked_at'])


def downgrade() -> None:
    op.drop_index('ix_parked_tickets_terminal', 'parked_tickets')
    op.drop_table('parked_tickets')
