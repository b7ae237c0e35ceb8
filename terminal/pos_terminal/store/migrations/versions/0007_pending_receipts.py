"""committed receipts waiting for the print queue

Revision ID: 0007_pending_receipts
Revises: 0006_staff_list
Create Date: 2026-12-02

The receipt of a sale used to reach the device SDK's print queue (its own SQLite file)
only after the sale had committed here, so a crash between the two lost it. The sale's
transaction now also writes a `pending_receipts` row; the row goes once the print queue
holds the job, and a start hands over every row left (services.till_devices). Orders
from before this revision are not backfilled: their receipts went the old way.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_pending_receipts'
down_revision = '0006_staff_list'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pending_receipts',
        sa.Column('order_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.order_id']),
        sa.PrimaryKeyConstraint('order_id'),
    )


def downgrade() -> None:
    op.drop_table('pending_receipts')
