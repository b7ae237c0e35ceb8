"""initial schema

Revision ID: 0001_initial_schema
Revises: 
Money columns are exact decimal text, times naive UTC (see sync_server.db.types).

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    
    op.create_table('idempotency_keys',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('terminal_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('item_prices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('price', sa.String(length=32), nullable=False),
    sa.Column('tax_code', sa.String(length=16), nullable=False),
    sa.Column('tax_rate', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('catalog_version', sa.BigInteger(), nullable=False),
    sa.Column('effective_from', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_prices'))
    )
    with op.batch_alter_table('item_prices', schema=None) as batch_op:
        batch_op.create_index('ix_item_prices_lookup', ['store_id', 'sku', 'effective_from'], unique=False)

    op.create_table('orders',
    sa.Column('server_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('original_order_id', sa.String(length=36), nullable=True),
    sa.Column('receipt_no', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('gross', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('conflicts', sa.Text(), nullable=False),
    sa.Column('resolutions', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('server_seq', name=op.f('pk_orders')),
    sa.UniqueConstraint('order_id', name=op.f('uq_orders_order_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_original_order_id'), ['original_order_id'], unique=False)
        batch_op.create_index('ix_orders_store_status', ['store_id', 'status'], unique=False)
        batch_op.create_index('ix_orders_terminal_hash', ['terminal_id', 'content_hash'], unique=False)
        batch_op.create_index('ix_orders_terminal_receipt', ['terminal_id', 'receipt_no'], unique=False)

    op.create_table('stores',
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('currency_scale', sa.Integer(), nullable=False),
    sa.Column('tax_mode', sa.String(length=16), nullable=False),
    sa.Column('track_stock', sa.Boolean(), nullable=False),
    sa.Column('catalog_version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_stores'))
    )
    op.create_table('z_reports',
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('z_number', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('flags', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_z_reports')),
    sa.UniqueConstraint('terminal_id', 'z_number', name=op.f('uq_z_reports_terminal_id'))
    )
    op.create_table('enrollment_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('terminal_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], name=op.f('fk_enrollment_codes_store_id_stores')),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_enrollment_codes'))
    )
    op.create_table('items',
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('barcodes', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=4), nullable=False),
    sa.Column('price', sa.String(length=32), nullable=False),
    sa.Column('tax_code', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], name=op.f('fk_items_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'sku', name=op.f('pk_items'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index('ix_items_store_version', ['store_id', 'version'], unique=False)

    op.create_table('order_lines',
    sa.Column('server_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.String(length=32), nullable=False),
    sa.Column('unit_price', sa.String(length=32), nullable=False),
    sa.Column('tax_rate', sa.String(length=32), nullable=False),
    sa.Column('line_total', sa.String(length=32), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['server_seq'], ['orders.server_seq'], name=op.f('fk_order_lines_server_seq_orders')),
    sa.PrimaryKeyConstraint('server_seq', 'line_no', name=op.f('pk_order_lines'))
    )
    op.create_table('stock',
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('on_hand_milli', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], name=op.f('fk_stock_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'sku', name=op.f('pk_stock'))
    )
    op.create_table('store_users',
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], name=op.f('fk_store_users_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'user_id', name=op.f('pk_store_users'))
    )
    op.create_table('tax_rates',
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('tax_code', sa.String(length=16), nullable=False),
    sa.Column('rate', sa.String(length=32), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], name=op.f('fk_tax_rates_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'tax_code', name=op.f('pk_tax_rates'))
    )
    op.create_table('terminals',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('store_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('last_heartbeat', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], name=op.f('fk_terminals_store_id_stores')),
    sa.PrimaryKeyConstraint('terminal_id', name=op.f('pk_terminals'))
    )
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminals_store_id'), ['store_id'], unique=False)

    


def downgrade() -> None:
    """Downgrade schema."""
    
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminals_store_id'))

    op.drop_table('terminals')
    op.drop_table('tax_rates')
    op.drop_table('store_users')
    op.drop_table('stock')
    op.drop_table('order_lines')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_store_version')

    op.drop_table('items')
    op.drop_table('enrollment_codes')
    op.drop_table('z_reports')
    op.drop_table('stores')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_terminal_receipt')
        batch_op.drop_index('ix_orders_terminal_hash')
        batch_op.drop_index('ix_orders_store_status')
        batch_op.drop_index(batch_op.f('ix_orders_original_order_id'))

    op.drop_table('orders')
    with op.batch_alter_table('item_prices', schema=None) as batch_op:
        batch_op.drop_index('ix_item_prices_lookup')

    op.drop_table('item_prices')
    op.drop_table('idempotency_keys')
    
