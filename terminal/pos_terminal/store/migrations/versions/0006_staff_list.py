"""the store's staff list on the till (version received, users locked by the office), and
returns against another till's sale

Revision ID: 0006_staff_list
Revises: 0005

The server keeps the store's one staff list and tills receive it as a delta with a
version (README "Staff list"): `staff_state` holds the version this till has (one row),
`users.locked` a lock set in the back office (besides the till's own lockout after wrong
PINs, `failed_attempts` / `locked_until`).
`orders.remote_original_order_id`: the sale a return is against when that sale is another
till's, found on the server (README "Returns across tills"); `original_order_id` is a
foreign key into this file and stays NULL then. Plain ADD COLUMN, no table rebuild.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_staff_list'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('orders', sa.Column('remote_original_order_id', sa.String(length=36), nullable=True))
    op.create_index('ix_orders_remote_original', 'orders', ['remote_original_order_id'],
                    sqlite_where=sa.text('remote_original_order_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_orders_remote_original', 'orders')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('remote_original_order_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked')
    op.drop_table('staff_state')
