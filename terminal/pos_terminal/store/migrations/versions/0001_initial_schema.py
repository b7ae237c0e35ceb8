"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_journal',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_table('catalog_items',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('barcodes', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=4), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('tax_code', sa.String(length=16), nullable=False),
    sa.Column('tax_rate', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('sku')
    )
    op.create_table('catalog_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('etag', sa.String(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('orders',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('original_order_id', sa.String(length=36), nullable=True),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('receipt_seq', sa.Integer(), nullable=False),
    sa.Column('receipt_no', sa.String(length=32), nullable=False),
    sa.Column('cashier_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('catalog_version', sa.Integer(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('tax', sa.BigInteger(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=False),
    sa.Column('change_given', sa.BigInteger(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('tender_count', sa.Integer(), nullable=False),
    sa.Column('sync_status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['original_order_id'], ['orders.order_id'], ),
    sa.PrimaryKeyConstraint('order_id'),
    sa.UniqueConstraint('terminal_id', 'receipt_seq', name='uq_orders_receipt_seq')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_original', ['original_order_id'], unique=False)

    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('kind', 'idempotency_key', name='uq_outbox_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_state_seq', ['state', 'seq'], unique=False)

    op.create_table('receipt_counters',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('last_no', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('terminal_id')
    )
    op.create_table('terminal_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('server_url', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('users',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('order_lines',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=4), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('tax_code', sa.String(length=16), nullable=False),
    sa.Column('tax_rate', sa.BigInteger(), nullable=False),
    sa.Column('discount', sa.BigInteger(), nullable=False),
    sa.Column('line_total', sa.BigInteger(), nullable=False),
    sa.Column('override_approved_by', sa.String(length=64), nullable=True),
    sa.Column('override_reason', sa.String(length=200), nullable=True),
    sa.Column('override_original_price', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], ),
    sa.PrimaryKeyConstraint('order_id', 'line_no')
    )
    op.create_table('order_tenders',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], ),
    sa.PrimaryKeyConstraint('order_id', 'seq')
    )



def downgrade() -> None:

    op.drop_table('order_tenders')
    op.drop_table('order_lines')
    op.drop_table('users')
    op.drop_table('terminal_identity')
    op.drop_table('receipt_counters')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_state_seq')

    op.drop_table('outbox')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_original')

    op.drop_table('orders')
    op.drop_table('catalog_state')
    op.drop_table('catalog_items')
    op.drop_table('audit_journal')

