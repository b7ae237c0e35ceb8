"""order ids are unique per store, not globally

Revision ID: 0003_order_ids_per_store
Revises: 0002_enrollment_keys
An order_id was unique across all stores, so a terminal of one store could post another
store's id first and have the genuine order refused (and learn that the id existed).
Now (store_id, order_id) is unique; every lookup by order_id is filtered by store.
Batch mode: SQLite rebuilds the table to drop a constraint.

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0003_orderids"
down_revision: Union[str, Sequence[str], None] = "0002_enroll"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint("uq_orders_order_id", type_="unique")
        batch_op.create_unique_constraint("uq_orders_store_order_id", ["store_id", "order_id"])


def downgrade() -> None:
    # Fails if two stores already hold the same order_id: that is the state 0001 forbade.
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint("uq_orders_store_order_id", type_="unique")
        batch_op.create_unique_constraint("uq_orders_order_id", ["order_id"])
