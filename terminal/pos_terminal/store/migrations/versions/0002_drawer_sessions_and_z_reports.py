"""drawer sessions and z reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('drawer_sessions',
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opening_float', sa.BigInteger(), nullable=False),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('counted_cash', sa.BigInteger(), nullable=True),
    sa.Column('z_number', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('session_id')
    )
    op.create_table('cash_movements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['drawer_sessions.session_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('z_reports',
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('z_number', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['drawer_sessions.session_id'], ),
    sa.PrimaryKeyConstraint('report_id'),
    sa.UniqueConstraint('terminal_id', 'z_number', name='uq_z_number')
    )
    op.create_table('order_voids',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('voided_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], ),
    sa.PrimaryKeyConstraint('order_id', 'line_no')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drawer_session_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key('fk_orders_drawer_session', 'drawer_sessions', ['drawer_session_id'], ['session_id'])


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_orders_drawer_session', type_='foreignkey')
        batch_op.drop_column('drawer_session_id')

    op.drop_table('order_voids')
    op.drop_table('z_reports')
    op.drop_table('cash_movements')
    op.drop_table('drawer_sessions')

