"""sealed terminal secrets: every terminal's HMAC secret encrypted with the server key

Revision ID: 0007_sealed_secrets
Revises: 0006_staff_list

`terminals.secret` held the secret in clear; it now holds a Fernet token of it (about 140
characters, hence the wider column), sealed with the first server key (core/secret_box.py:
`POS_SYNC_SECRET_KEY` or the key file). Rows already sealed (a rerun) are left as they are.
The downgrade opens them again with the same key.
"""
from typing import Sequence, Union

from alembic import context, op
import sqlalchemy as sa


revision: str = '0007_sealed_secrets'
down_revision: Union[str, Sequence[str], None] = '0006_staff_list'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_terminals = sa.table("terminals", sa.column("terminal_id", sa.String), sa.column("secret", sa.String))
FERNET_PREFIX = "gAAAAA"  # version byte 0x80 and a 64-bit timestamp's high zero bytes, base64


def _box():
    """The server key from the caller (`migrations.upgrade(..., secret_box=...)`) or the settings."""
    box = context.config.attributes.get("secret_box")
    if box is None:
        from sync_server.core.config import get_settings

        box = get_settings().secret_box()
    return box


def _rewrite(change, keep) -> None:
    conn = op.get_bind()
    rows = [row for row in conn.execute(sa.select(_terminals.c.terminal_id, _terminals.c.secret)) if not keep(row.secret)]
    if not rows:
        return  # no key needed (nor made) for a database without terminals
    box = _box()
    for row in rows:
        conn.execute(_terminals.update().where(_terminals.c.terminal_id == row.terminal_id)
                     .values(secret=change(box, row.secret)))


def upgrade() -> None:
    with op.batch_alter_table("terminals", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=100), type_=sa.String(length=255),
                              existing_nullable=False)
    _rewrite(lambda box, secret: box.seal(secret), keep=lambda secret: secret.startswith(FERNET_PREFIX))


def downgrade() -> None:
    _rewrite(lambda box, sealed: box.open(sealed), keep=lambda secret: not secret.startswith(FERNET_PREFIX))
    with op.batch_alter_table("terminals", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=255), type_=sa.String(length=100),
                              existing_nullable=False)
