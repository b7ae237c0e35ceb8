"""indexes that keep the till's reads to the period, not the history

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

A till keeps every order, drawer session and cash movement it ever wrote. The X and Z
reports read one drawer session (its orders, its movements, the open session itself):
each of those reads is now an index search instead of a scan of everything before it
(README "Costs that follow the period"). A sale pays for every index it enters, so the
two indexes that only returns use (a return's sale, an outbox entry's dependency) become
partial: sales, whose column is NULL, no longer write them. Plain CREATE/DROP INDEX, no
table rebuild: quick even on years of sales.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A session's orders (X/Z), and a till's unreported ones (NULL), which the Z adopts:
    # with terminal_id in it the planner prefers it to uq_orders_receipt_seq, whose
    # terminal_id alone would walk every order the till ever rang.
    op.create_index('ix_orders_drawer_session', 'orders', ['drawer_session_id', 'terminal_id', 'receipt_seq'])
    # The open session of a till (asked by every sale, X and Z).
    op.create_index('ix_drawer_sessions_open', 'drawer_sessions', ['terminal_id', 'closed_at', 'opened_at'])
    # A session's paid-ins, paid-outs and no-sales (X/Z).
    op.create_index('ix_cash_movements_session', 'cash_movements', ['session_id'])
    # Only what a lookup can ask for: `original_order_id = ?`, `depends_on = ?` imply NOT NULL.
    op.drop_index('ix_orders_original', 'orders')
    op.create_index('ix_orders_original', 'orders', ['original_order_id'],
                    sqlite_where=sa.text('original_order_id IS NOT NULL'))
    op.drop_index('ix_outbox_depends_on', 'outbox')
    op.create_index('ix_outbox_depends_on', 'outbox', ['depends_on'],
                    sqlite_where=sa.text('depends_on IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_outbox_depends_on', 'outbox')
    op.create_index('ix_outbox_depends_on', 'outbox', ['depends_on'])
    op.drop_index('ix_orders_original', 'orders')
    op.create_index('ix_orders_original', 'orders', ['original_order_id'])
    op.drop_index('ix_cash_movements_session', 'cash_movements')
    op.drop_index('ix_drawer_sessions_open', 'drawer_sessions')
    op.drop_index('ix_orders_drawer_session', 'orders')
