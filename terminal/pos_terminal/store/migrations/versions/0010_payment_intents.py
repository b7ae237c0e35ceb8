"""payment intents: card payments asked of the payment terminal, before any byte is sent

Revision ID: 0010_payment_intents
Revises: 0009_server_trust
Create Date: 2026-12-02

A new table only (no rebuild of orders): the order a payment is captured in is found
from the intent (`payment_intents.order_id`), the tender carries the terminal's
reference as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_payment_intents'
down_revision = '0009_server_trust'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'payment_intents',
        sa.Column('intent_id', sa.String(36), primary_key=True),
        sa.Column('terminal_id', sa.String(64), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('tender', sa.String(16), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('intent_state', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('order_id', sa.String(36), sa.ForeignKey('orders.order_id'), nullable=True),
        sa.Column('reverses_intent_id', sa.String(36), sa.ForeignKey('payment_intents.intent_id'), nullable=True),
        sa.Column('terminal_receipt_no', sa.Integer(), nullable=True),
        sa.Column('trace_no', sa.Integer(), nullable=True),
        sa.Column('auth_code', sa.String(16), nullable=True),
        sa.Column('masked_pan', sa.String(32), nullable=True),
        sa.Column('card_name', sa.String(32), nullable=True),
        sa.Column('result_code', sa.Integer(), nullable=True),
        sa.Column('message', sa.String(200), nullable=True),
        sa.Column('receipt_lines', sa.Text(), nullable=True),
    )
    op.create_index('ix_payment_intents_open', 'payment_intents', ['terminal_id', 'intent_state'])


def downgrade() -> None:
    op.drop_index('ix_payment_intents_open', 'payment_intents')
    op.drop_table('payment_intents')
