"""Many rows at once: PostgreSQL COPY, executemany on SQLite (the catalog import's writes).

Rows are dicts keyed by column name with the values the ORM would bind (Decimals, aware
datetimes, ...); each column's own bind processor turns them into what is stored, so a row
reads back the same whichever path wrote it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table


def _is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """INSERT every row, in the caller's transaction."""
    if not rows:
        return
    columns = [table.c[name] for name in rows[0]]
    if _is_postgresql(conn):
        _copy(conn, table.name, columns, rows)
        return
    prep = conn.dialect.identifier_preparer
    sql = (f"INSERT INTO {prep.quote(table.name)} ({', '.join(prep.quote(c.name) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    _executemany(conn, sql, columns, rows)


def update_rows(conn: Connection, table: Table, keys: Sequence[str], rows: Sequence[dict]) -> None:
    """UPDATE the row each dict names by its `keys` columns to the dict's other values.

    PostgreSQL: COPY into a temporary table, then one UPDATE ... FROM (a statement per row,
    even pipelined, is several times slower). SQLite: executemany by primary key."""
    if not rows:
        return
    names = list(rows[0])
    values = [name for name in names if name not in keys]
    if _is_postgresql(conn):
        prep = conn.dialect.identifier_preparer
        target, staging = prep.quote(table.name), prep.quote(f"_bulk_{table.name}")
        columns = ", ".join(prep.quote(n) for n in names)
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {columns} FROM {target} WITH NO DATA")
        _copy(conn, f"_bulk_{table.name}", [table.c[name] for name in names], rows)
        assign = ", ".join(f"{prep.quote(n)} = s.{prep.quote(n)}" for n in values)
        match = " AND ".join(f"t.{prep.quote(k)} = s.{prep.quote(k)}" for k in keys)
        conn.exec_driver_sql(f"UPDATE {target} AS t SET {assign} FROM {staging} AS s WHERE {match}")
        conn.exec_driver_sql(f"DROP TABLE {staging}")
        return
    prep = conn.dialect.identifier_preparer
    sql = (f"UPDATE {prep.quote(table.name)} SET {', '.join(f'{prep.quote(n)} = ?' for n in values)} "
           f"WHERE {' AND '.join(f'{prep.quote(k)} = ?' for k in keys)}")
    _executemany(conn, sql, [table.c[n] for n in [*values, *keys]], rows)


def _executemany(conn: Connection, sql: str, columns: list, rows: Sequence[dict]) -> None:
    """The driver's executemany with the values bound as SQLAlchemy would bind them; building
    SQLAlchemy's parameters row by row took twice as long as SQLite's own work."""
    assert conn.dialect.paramstyle == "qmark", conn.dialect.paramstyle  # SQLite
    params = _bound(conn, columns, rows)
    cursor = conn.connection.driver_connection.cursor()  # inside the caller's transaction
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def _bound(conn: Connection, columns: list, rows: Sequence[dict]) -> list[tuple]:
    processors = [(c.name, c.type.bind_processor(conn.dialect)) for c in columns]
    return [tuple(process(row[name]) if process else row[name] for name, process in processors) for row in rows]


def _copy(conn: Connection, table_name: str, columns: list, rows: Sequence[dict]) -> None:
    prep = conn.dialect.identifier_preparer
    sql = f"COPY {prep.quote(table_name)} ({', '.join(prep.quote(c.name) for c in columns)}) FROM STDIN"
    raw = conn.connection.driver_connection  # psycopg 3, inside the caller's transaction
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for values in _bound(conn, columns, rows):
            copy.write_row(values)
