"""how the till trusts its sync server: a CA certificate or a pinned fingerprint

Revision ID: 0009_server_trust
Revises: 0008_parked_tickets

Chosen at enrollment (sync/tls.py) and used by every later request. Both NULL: the
system's CAs, as before this revision.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_server_trust'
down_revision = '0008_parked_tickets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminal_identity') as batch_op:
        batch_op.add_column(sa.Column('server_ca_pem', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('server_pin_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('terminal_identity') as batch_op:
        batch_op.drop_column('server_pin_sha256')
        batch_op.drop_column('server_ca_pem')
