"""staff list: PIN hashes, locked and removed state, and a version per store for tills' deltas

Revision ID: 0006_staff_list
Revises: 0005_backoffice_office_users

`store_users` becomes the store's one staff list (README "Staff list"): `pin_hash`
(`scrypt$...`, pos_protocol.pins; null for a user made before, who cannot sign in on a
till until given a PIN), `locked`, `removed` (kept as a row so tills hear of it in the
next delta) and `version`, the staff version that last changed the user.
`stores.staff_version` counts the store's staff changes, as `catalog_version` does items.
`ix_orders_store_receipt`: a till finds another till's sale by receipt number (returns).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0006_staff_list"
down_revision: Union[str, Sequence[str], None] = "0005_backoffice_office_users"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_version", sa.BigInteger(), server_default="0", nullable=False))
    with op.batch_alter_table("store_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("version", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.create_index("ix_store_users_store_version", ["store_id", "version"], unique=False)
    op.create_index("ix_orders_store_receipt", "orders", ["store_id", "receipt_no"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_orders_store_receipt", table_name="orders")
    with op.batch_alter_table("store_users", schema=None) as batch_op:
        batch_op.drop_index("ix_store_users_store_version")
        batch_op.drop_column("version")
        batch_op.drop_column("removed")
        batch_op.drop_column("locked")
        batch_op.drop_column("pin_hash")
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("staff_version")
