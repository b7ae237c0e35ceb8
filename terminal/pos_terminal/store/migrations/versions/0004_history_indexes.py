"""indexes that keep the till's reads to the period, not the history

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

A till keeps every order, drawer session and cash movement it ever wrote. The X and Z
reports read one drawer session (its orders, its movements, the open session itself), a
return looks its receipt up by number: each of those reads is now an index search
instead of a scan of everything before it (README "Costs that follow the period").
Plain CREATE INDEX, no table rebuild: quick even on years of sales.
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A session's orders (X/Z), and a till's unreported ones (NULL), which the Z adopts:
    # with terminal_id in it the planner prefers it to uq_orders_receipt_seq, whose
    # terminal_id alone would walk every order the till ever rang.
    op.create_index('ix_orders_drawer_session', 'orders', ['drawer_session_id', 'terminal_id', 'receipt_seq'])
    # A return's receipt lookup.
    op.create_index('ix_orders_receipt_no', 'orders', ['receipt_no'])
    # The open session of a till (asked by every sale, X and Z).
    op.create_index('ix_drawer_sessions_open', 'drawer_sessions', ['terminal_id', 'closed_at', 'opened_at'])
    # A session's paid-ins, paid-outs and no-sales (X/Z).
    op.create_index('ix_cash_movements_session', 'cash_movements', ['session_id'])


def downgrade() -> None:
    op.drop_index('ix_cash_movements_session', 'cash_movements')
    op.drop_index('ix_drawer_sessions_open', 'drawer_sessions')
    op.drop_index('ix_orders_receipt_no', 'orders')
    op.drop_index('ix_orders_drawer_session', 'orders')
