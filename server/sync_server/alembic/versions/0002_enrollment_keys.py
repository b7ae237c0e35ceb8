"""enrollment keys: a retried enrollment returns the terminal its first attempt made

Revision ID: 0002_enrollment_keys
Revises: 0001_initial_schema
The till sends an Idempotency-Key with its enrollment; the code remembers its SHA-256, so
the same code and key within the code's lifetime return the same terminal (README).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0002_enroll"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.drop_column("key_hash")
