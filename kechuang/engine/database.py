"""The database of one opened data directory: an in-memory DuckDB whose `main` schema holds what
every scope of the data shares (Warehouse, warehouse.py, adds a scope's own schema on top).

`main` holds the raw views of the Parquet files (`_raw_<table>`: the contract's columns, cast),
the small tables' in-memory copies (`_mem_<table>`), the macros, the availability table, and the
work records' contacts (`_raw_recorded_contacts`) with every contact that counts as a service
visit (`_raw_service_contacts`). It holds no contract table under its own name: each scope's
schema bounds `main._raw_<name>` to its towns under the plain name.

Speed, decided once per data version (a database is opened per data version, so nothing below can
go stale after an ingest):

- **Clean text columns read as stored.** The contract normalises text (`nullif(trim(x), '')`: a
  blank counts as null). Trimming every string on every scan doubled the cost of each scan and hid
  equality filters from the Parquet reader (one firm's rows in 28 M monthly rows: 3.3 s instead of
  20 ms). So the first query that reads a table checks, in one scan, which of its text columns
  already hold only normalised values, and re-creates the table's raw view reading those columns
  as stored. Same values, so same results; the check runs once per table and data version.
- **Small tables in memory.** A table of at most IN_MEMORY_ROWS rows is copied into memory when it
  is settled.
Settling is guarded by one lock per database, because queries arrive from several threads.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl

from kechuang.engine import contract, sources
from kechuang.engine.sources import DataError, TableInfo
from kechuang.engine.sql import query_text

IN_MEMORY_ROWS = (
    250_000  # tables up to this size are copied into memory once per warehouse (_settle)
)

# The work records' contacts as the warehouse holds them (kechuang/worklog/bridge.py loads them).
RECORDED_CONTACT_COLUMNS = {
    "entry_id": "BIGINT",
    "uscc": "VARCHAR",
    "kind": "VARCHAR",
    "contacted_on": "DATE",
    "service_type": "VARCHAR",
}
# The views of main beside the contract tables' (`_raw_<name>`), with their columns: each scope
# bounds them to its towns like the contract tables (Warehouse._scoped_view).
DERIVED_VIEWS: dict[str, tuple[str, ...]] = {
    "recorded_contacts": tuple(RECORDED_CONTACT_COLUMNS),
    "service_contacts": ("visit_id", "uscc", "visited_on", "service_type", "team", "source"),
}

# DuckDB's allocator hands freed memory back to the system in background threads (otherwise a
# dropped scope's summaries stay resident). A process-wide setting: set once, before the first
# database.
_ALLOCATOR = threading.Lock()
_allocator_set = False


def _release_freed_memory() -> None:
    global _allocator_set
    with _ALLOCATOR:
        if not _allocator_set:
            duckdb.execute("set allocator_background_threads = true")
            _allocator_set = True


class Database:
    """The shared part of a Warehouse: the data directory's tables in `main`, their settling, and
    the recorded contacts. Every scope opened on it (Warehouse.scoped) shares these attributes."""

    def __init__(self, data_dir: str | Path, strict: bool = True):
        self.strict = strict
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise DataError(
                f"数据目录不存在：{self.data_dir}（用 --data 或环境变量 KECHUANG_DATA 指定）"
            )
        self.tables: dict[str, TableInfo] = {}
        self._lock = threading.Lock()
        self._settle_lock = threading.RLock()  # settling text columns: once per database
        self._readers: dict[
            str, tuple[str, dict[str, str]]
        ] = {}  # table -> (reader, found base types)
        self._unsettled: dict[
            str, list[str]
        ] = {}  # table -> text columns not yet checked for normal form
        # Parquet footers read once per database, not at every query's planning (≈ 20% of a small
        # query's time). Safe: a warehouse belongs to one data version, and a changed file is a new
        # version and a new warehouse.
        _release_freed_memory()
        self._db = duckdb.connect(":memory:")
        self._root = True  # this object opened the database (views made by _view share it)
        # Schemas of closed or collected views, dropped by the next query.
        self._released: list[str] = []
        self._db.execute("set parquet_metadata_cache = true")
        self.con = self._db  # the shared objects below are created in main
        self._create_macros()
        for table in contract.TABLES:
            self.tables[table] = self._register(table, strict)
        self._create_availability()
        self._create_recorded_contacts()
        self.version = self._version()

    # -- opening -----------------------------------------------------------------------------

    def _register(self, table: str, strict: bool) -> TableInfo:
        source, files = sources.locate(self.data_dir, table)
        info = TableInfo(table, source, files=files)
        if source is not None and not files:
            info.problem = f"表 {table} 的文件夹 {source} 中没有 Parquet 文件"
        if source is not None and info.problem is None:
            try:
                self._create_raw_view(info)
            except DataError as err:
                info.problem = str(err)
        if info.problem and strict:
            raise DataError(info.problem)
        if not info.available:
            self._create_empty_raw_view(table)
        return info

    def _create_raw_view(self, info: TableInfo) -> None:
        reader = sources.reader(info)
        found = sources.checked_columns(self._db, info, reader)
        self._readers[info.name] = (reader, found)
        self._unsettled[info.name] = [
            c.name for c in contract.columns(info.name) if c.type == "VARCHAR"
        ]
        self._raw_view(info.name, clean=set())

    def _raw_view(self, table: str, clean: set[str]) -> None:
        """The raw view: contract columns, cast; text normalised except in columns known to be
        clean already."""
        reader, found = self._readers[table]
        selects = []
        for col in contract.columns(table):
            expr = f'"{col.name}"'
            if col.type == "VARCHAR":
                if col.name not in clean:
                    expr = (
                        f"nullif(trim({expr}), '')"  # an empty string counts as null (metrics.md)
                    )
            elif found[col.name] != col.type:
                expr = f"cast({expr} as {col.type})"
            selects.append(f'{expr} as "{col.name}"')
        self._db.execute(
            f"create or replace view main._raw_{table} as select {', '.join(selects)} from {reader}"
        )

    def _create_empty_raw_view(self, table: str) -> None:
        cols = ", ".join(f'cast(null as {c.type}) as "{c.name}"' for c in contract.columns(table))
        self._db.execute(f"create or replace view main._raw_{table} as select {cols} where false")

    def _create_macros(self) -> None:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        weights = "[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]"
        self._db.execute(
            """create macro uscc_well_formed(u) as regexp_full_match(coalesce(u, ''), """
            f"""'[{alphabet}]{{18}}')"""
        )
        self._db.execute(
            f"""create macro uscc_check_ok(u) as uscc_well_formed(u) and
                substr('{alphabet}', cast(((31 - list_sum(list_transform(range(1, 18),
                    lambda i: (strpos('{alphabet}', substr(u, i, 1)) - 1) * {weights}[i]))
                    % 31) % 31) + 1 as bigint), 1)
                = substr(u, 18, 1)"""
        )
        # Calendar arithmetic: 29 February plus n years is 28 February in a common year.
        self._db.execute(
            "create macro add_years(d, n) as cast(d + to_years(cast(n as integer)) as date)"
        )

    def _create_availability(self) -> None:
        self._db.execute("create table main._available (table_name varchar, available boolean)")
        for name, info in self.tables.items():
            self._db.execute(
                "insert into main._available values ($n, $a)", {"n": name, "a": info.available}
            )

    def _version(self) -> str:
        return sources.data_version(self.data_dir)

    # -- contacts recorded in the dashboard (kechuang/worklog), beside the service_visits file ---

    def _create_recorded_contacts(self) -> None:
        """The table of the work records' contacts, filled by set_recorded_contacts, and
        `_raw_service_contacts` (queries/service_contacts.sql), every contact that counts as a
        service visit: the file's rows, then each recorded (firm, day, service type) the file does
        not hold already, counted once. Both county-wide; each scope's `recorded_contacts` and
        `service_contacts` bound them to its towns (DERIVED_VIEWS)."""
        self.recorded_stamp: object = None
        cols = ", ".join(f"{name} {kind}" for name, kind in RECORDED_CONTACT_COLUMNS.items())
        self._db.execute(f"create table main._raw_recorded_contacts ({cols})")
        self._db.execute(
            f"create view main._raw_service_contacts as {query_text('service_contacts')}"
        )

    def set_recorded_contacts(self, rows: pl.DataFrame, stamp: object) -> None:
        """Replace the recorded contacts (columns RECORDED_CONTACT_COLUMNS) unless `stamp` says they
        are current; one DuckDB transaction, so a query on another cursor sees the old rows or the
        new ones."""
        with self._settle_lock:
            if stamp == self.recorded_stamp:
                return
            cur = self.con.cursor()
            try:
                cur.register("_incoming", rows.select(list(RECORDED_CONTACT_COLUMNS)).to_arrow())
                cur.execute("begin transaction")
                cur.execute("delete from _raw_recorded_contacts")
                cur.execute("insert into _raw_recorded_contacts select * from _incoming")
                cur.execute("commit")
            finally:
                cur.close()
            self.recorded_stamp = stamp

    # -- settling ------------------------------------------------------------------------------

    def _settle(self, table: str) -> None:
        """Check once which text columns of a table are already in normal form (read those as
        stored); copy a table of at most IN_MEMORY_ROWS rows into memory (a warehouse belongs to
        one data version: never stale)."""
        columns = self._unsettled.get(table)
        if columns is None:
            return
        reader, _found = self._readers[table]
        checks = "".join(
            f""", coalesce(bool_or("{c}" = '' or "{c}" <> trim("{c}")), false)""" for c in columns
        )
        with self._lock:
            cur = self._db.cursor()
        try:
            n_rows, *dirty = cur.sql(f"select count(*){checks} from {reader}").fetchall()[0]
            clean = {c for c, d in zip(columns, dirty, strict=True) if not d}
            if clean:
                self._raw_view(table, clean)
            if n_rows <= IN_MEMORY_ROWS:
                # A small table is copied into memory once: its queries then skip the Parquet
                # reader at planning and scan (≈ 20% of a small query's time). Large ones
                # (tax_monthly) stay Parquet, read in place.
                cur.execute(
                    f"create or replace table main._mem_{table} as select * from main._raw_{table}"
                )
                cur.execute(
                    f"create or replace view main._raw_{table} as select * from main._mem_{table}"
                )
        finally:
            cur.close()
        del self._unsettled[table]

    def _drop_released(self) -> None:
        """Drop the schemas of scopes closed or garbage-collected since the last query."""
        while self._released:
            schema = self._released.pop()
            with self._lock:
                cur = self._db.cursor()
            try:
                cur.execute(f"drop schema if exists {schema} cascade")
            finally:
                cur.close()
