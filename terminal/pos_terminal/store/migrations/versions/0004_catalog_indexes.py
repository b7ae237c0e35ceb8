"""catalog lookups from indexes: barcodes table, FTS5 search, tax rates, pull cursor

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

The till no longer loads every item into memory; it answers from SQLite:
- `catalog_items` is rebuilt with an integer primary key `id` (`sku` stays unique): the
  FTS index refers to items by it, and an explicit INTEGER PRIMARY KEY keeps its values
  through VACUUM and table copies (an implicit rowid would not);
- `catalog_barcodes` (normalized code -> sku, one item per code) for scans;
- `catalog_fts`, an FTS5 index over name, sku, barcodes and category (external content:
  the text stays in `catalog_items`), kept in step by `store.catalog`, the one writer of
  `catalog_items`, in the writing transaction (set-based statements: per-row triggers
  cost four times as much on a 100,000-item pull);
- indexes for the grid (category, by name) and the weighed-items list (partial: kg only);
- `catalog_tax_rates`: the rate of every tax code the till knows (a paged pull brings the
  rates on its first page, the items using them maybe pages later);
- `catalog_state.pull_cursor`: the next page of a pull under way (resume after a kill).
Existing items are copied in their old order, so a barcode two items claimed stays with
the one the in-memory catalog gave it to (the later one).
"""
import json

import sqlalchemy as sa
from alembic import op

from pos_terminal.core.barcodes import normalize_key

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = "sku, name, barcodes, unit, price, tax_code, tax_rate, category, active"

FTS = """
CREATE VIRTUAL TABLE catalog_fts USING fts5(
    name, sku, barcodes, category,
    content='catalog_items', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3')
"""
# A match in the name counts most, then the SKU, a barcode, the category.
RANK = "INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 1.0)')"
def upgrade() -> None:
    op.execute("""
        CREATE TABLE catalog_items_new (
            id INTEGER NOT NULL PRIMARY KEY,
            sku VARCHAR(64) NOT NULL,
            name VARCHAR(200) NOT NULL,
            barcodes TEXT NOT NULL,
            unit VARCHAR(4) NOT NULL,
            price BIGINT NOT NULL,
            tax_code VARCHAR(16) NOT NULL,
            tax_rate BIGINT NOT NULL,
            category VARCHAR(64) NOT NULL,
            active BOOLEAN NOT NULL,
            CONSTRAINT uq_catalog_items_sku UNIQUE (sku))
    """)
    op.execute(f"INSERT INTO catalog_items_new ({COLUMNS}) SELECT {COLUMNS} FROM catalog_items ORDER BY rowid")
    op.execute("DROP TABLE catalog_items")
    op.execute("ALTER TABLE catalog_items_new RENAME TO catalog_items")
    op.create_index('ix_catalog_items_grid', 'catalog_items', ['category', 'active', 'name', 'sku'])
    op.create_index('ix_catalog_items_weighed', 'catalog_items', ['name', 'sku'],
                    sqlite_where=sa.text("unit = 'kg' AND active = 1"))

    op.create_table(
        'catalog_barcodes',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('sku', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('code'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_catalog_barcodes_sku', 'catalog_barcodes', ['sku'])
    conn = op.get_bind()
    owner: dict[str, str] = {}
    for sku, barcodes in conn.exec_driver_sql("SELECT sku, barcodes FROM catalog_items ORDER BY id"):
        for code in json.loads(barcodes):
            owner[normalize_key(code)] = sku  # the later item wins, as in the in-memory index
    if owner:
        conn.exec_driver_sql("INSERT INTO catalog_barcodes (code, sku) VALUES (?, ?)", list(owner.items()))

    op.create_table(
        'catalog_tax_rates',
        sa.Column('tax_code', sa.String(length=16), nullable=False),
        sa.Column('rate', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('tax_code'),
    )
    op.execute("""
        INSERT INTO catalog_tax_rates (tax_code, rate)
        SELECT tax_code, tax_rate FROM catalog_items
        WHERE id IN (SELECT max(id) FROM catalog_items GROUP BY tax_code)
    """)

    with op.batch_alter_table('catalog_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pull_cursor', sa.Text(), nullable=True))

    op.execute(FTS)
    op.execute(RANK)
    op.execute("INSERT INTO catalog_fts(catalog_fts) VALUES ('rebuild')")  # index the items the till has


def downgrade() -> None:
    op.execute("DROP TABLE catalog_fts")
    with op.batch_alter_table('catalog_state', schema=None) as batch_op:
        batch_op.drop_column('pull_cursor')
    op.drop_table('catalog_tax_rates')
    op.drop_index('ix_catalog_barcodes_sku', table_name='catalog_barcodes')
    op.drop_table('catalog_barcodes')
    op.execute("""
        CREATE TABLE catalog_items_old (
            sku VARCHAR(64) NOT NULL PRIMARY KEY,
            name VARCHAR(200) NOT NULL,
            barcodes TEXT NOT NULL,
            unit VARCHAR(4) NOT NULL,
            price BIGINT NOT NULL,
            tax_code VARCHAR(16) NOT NULL,
            tax_rate BIGINT NOT NULL,
            category VARCHAR(64) NOT NULL,
            active BOOLEAN NOT NULL)
    """)
    op.execute(f"INSERT INTO catalog_items_old ({COLUMNS}) SELECT {COLUMNS} FROM catalog_items ORDER BY id")
    op.execute("DROP TABLE catalog_items")
    op.execute("ALTER TABLE catalog_items_old RENAME TO catalog_items")
