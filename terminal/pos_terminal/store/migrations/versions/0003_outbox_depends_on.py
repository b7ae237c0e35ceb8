"""outbox entries record the entry they depend on

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

A return depends on its sale's outbox entry and a resolution on its order's: the pump
sends neither before that entry is settled. Entries written before this revision get
their dependency filled in from what the till already knows (the return's original order,
the order id in a resolution's path), so a backlog upgraded mid-outage keeps its order too.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('depends_on', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_outbox_depends_on', 'outbox', ['depends_on'], ['seq'])
        batch_op.create_index('ix_outbox_depends_on', ['depends_on'], unique=False)
    # A return on a sale rung on this till waits for that sale's entry.
    op.execute("""
        UPDATE outbox SET depends_on = (
            SELECT sale.seq FROM orders ret JOIN outbox sale
              ON sale.kind = 'order' AND sale.idempotency_key = ret.original_order_id
            WHERE ret.order_id = outbox.idempotency_key)
        WHERE kind = 'order'
    """)
    # A resolution waits for its order's entry (/v1/orders/{order_id}/resolution).
    op.execute("""
        UPDATE outbox SET depends_on = (
            SELECT held.seq FROM outbox held
            WHERE held.kind = 'order'
              AND outbox.path = '/v1/orders/' || held.idempotency_key || '/resolution')
        WHERE kind = 'resolution'
    """)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_depends_on')
        batch_op.drop_constraint('fk_outbox_depends_on', type_='foreignkey')
        batch_op.drop_column('depends_on')
