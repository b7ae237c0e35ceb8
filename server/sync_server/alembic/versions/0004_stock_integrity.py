"""stock integrity: blind-return limit per store, on-hand brought into its bounds

Revision ID: 0004_stock_integrity
Revises: 0003_order_ids_per_store

`stores.max_blind_return_qty` (exact decimal text, default 10): how much of one item a
blind return may take back before the server holds it. Stock rows that the old put-back
left outside 0 .. 999,999,999.999 (below zero after an over-return was sold, or past
what the wire's Quantity can carry, which made GET .../stock/{sku} a 500) are brought to
the nearest bound, so every row reads back; from now on services/stock.py keeps them there.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0004_stock"
down_revision: Union[str, Sequence[str], None] = "0003_orderids"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Thousandths, as the column holds them: wire.MAX_QUANTITY (999999999.999) * 1000. Written
# out so the migration keeps meaning what it meant if the application constant ever moves.
MAX_ON_HAND_MILLI = 999_999_999_999


def upgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_blind_return_qty", sa.String(length=32), server_default="10", nullable=False))
    op.execute("UPDATE stock SET on_hand_milli = 0 WHERE on_hand_milli < 0")
    op.execute(f"UPDATE stock SET on_hand_milli = {MAX_ON_HAND_MILLI} WHERE on_hand_milli > {MAX_ON_HAND_MILLI}")


def downgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("max_blind_return_qty")
