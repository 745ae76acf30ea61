"""The warehouse: a data directory of Parquet extracts, opened as DuckDB views.

Connection strategy: one in-memory DuckDB database per opened data directory. Its `main`
schema holds what every scope shares: the raw views of the Parquet files (`_raw_<table>`), the
small tables' in-memory copies, the macros and the availability table. Each Warehouse, the county
or a set of towns, owns one more schema: the contract tables as views bounded to its towns (plus
its `_scope` table) and its summaries. `scoped()` opens another scope *on the same database*, so a
town's warehouse costs its views and its town-sized summaries, not another copy of the data (one
copy per town scope took the app from 75 MB to 640 MB with thirty sessions). `con` is the
warehouse's own connection with its schema first on the search path, so an unqualified
`enterprises` is always this warehouse's bounded view; `main` holds no contract table under its
own name, so a name missing from the schema fails instead of reading the county.

Every query runs on its own cursor (a fresh connection to the same database, the search path set
again), because a DuckDB connection is not thread-safe and a pending result is emptied by the next
`execute` on the same connection. Streamlit runs each session in its own thread, so one cursor per
query is what keeps concurrent reruns apart; cursors are cheap (no data is copied).

Speed, decided once per data version (a Warehouse is opened per data version, so nothing below
can go stale after an ingest):

- **Clean text columns read as stored.** The contract normalises text (`nullif(trim(x), '')`: a
  blank counts as null). Trimming every string on every scan doubled the cost of each scan and hid
  equality filters from the Parquet reader (one firm's rows in 28 M monthly rows: 3.3 s instead of
  20 ms). So the first query that reads a table checks, in one scan, which of its text columns
  already hold only normalised values, and re-creates the table's raw view reading those columns
  as stored. Same values, so same results; the check runs once per table and data version.
- **Summaries.** A query may read `_sum_<name>`: the result of `queries/sum_<name>.sql` (no
  parameters), materialised in this warehouse's schema on first use. Summaries are built over
  the scoped views, so a town-scoped warehouse's summaries hold only its towns.
Settling is guarded by one lock per database, summaries by one per warehouse, because queries
arrive from several threads.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import re
import threading
import weakref
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from kechuang.engine import contract

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"
IN_MEMORY_ROWS = (
    250_000  # tables up to this size are copied into memory once per warehouse (_settle)
)

# A present column is accepted when its Parquet type is in the contract type's family; it is
# then cast to the contract type (an integer that does not fit INTEGER fails loudly, it is
# never truncated). Dates must be dates: a TIMESTAMP could carry a time we would drop.
_ACCEPTED = {
    "VARCHAR": {"VARCHAR"},
    "DOUBLE": {
        "DOUBLE",
        "FLOAT",
        "REAL",
        "DECIMAL",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    },
    "INTEGER": {
        "INTEGER",
        "BIGINT",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    },
    "DATE": {"DATE"},
    "BOOLEAN": {"BOOLEAN"},
}

# The work records' contacts as the warehouse holds them (kechuang/worklog/bridge.py loads them).
RECORDED_CONTACT_COLUMNS = {
    "entry_id": "BIGINT",
    "uscc": "VARCHAR",
    "kind": "VARCHAR",
    "contacted_on": "DATE",
    "service_type": "VARCHAR",
}
# Views over contract tables: a query naming one prepares the tables it reads.
_VIEWS_READING = {"service_contacts": ("service_visits",)}

# Tables scoped through their own town column rather than through the enterprise's.
_SCOPED_BY_OWN_TOWN = {"enterprises", "sci_projects"}


_SCHEMAS = itertools.count(1)  # one schema per opened scope, never reused within the process

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


class DataError(Exception):
    """Bad input data or a bad data directory; the message says what and where."""


@dataclass
class TableInfo:
    name: str
    source: Path | None = None  # the file or folder read; None when absent
    problem: str | None = None  # why the table is unavailable, when it is present but unusable
    files: list[Path] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.source is not None and self.problem is None


def _locate(data_dir: Path, table: str) -> tuple[Path | None, list[Path]]:
    file = data_dir / f"{table}.parquet"
    folder = data_dir / table
    if file.is_file():
        # An ingested table is a symlink to an immutable version file (kechuang/ingest/store.py):
        # reading the resolved path keeps an open warehouse on the version it opened, and
        # data_version sees the swap.
        real = file.resolve()
        return real, [real]
    if folder.is_dir():
        return folder, sorted(folder.rglob("*.parquet"))
    return None, []


def _base_type(duck_type: str) -> str:
    return re.sub(r"\(.*\)$", "", duck_type.strip().upper())


_INCLUDE = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


@cache
def query_text(name: str) -> str:
    """The SQL of `queries/<name>.sql` (names may hold one folder, e.g. `checks/x`).

    `{{ other }}` in it stands for the text of queries/other.sql, so two questions over the same
    rows (e.g. the screen's list and its page's counts) share one definition of those rows."""
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)?", name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise ValueError(f"no such query: {name} (looked for {path})")
    return _INCLUDE.sub(lambda m: query_text(m.group(1)), path.read_text(encoding="utf-8"))


def _bound(sql: str, params: dict) -> dict:
    """The parameters the SQL uses; DuckDB refuses excess ones."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    missing = used - params.keys()
    if missing:
        raise ValueError(f"query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in used}


def data_version(data_dir: str | Path) -> str:
    """A fingerprint of the data directory's Parquet files (path, size, mtime): changes when data
    does."""
    digest = hashlib.sha256()
    root = Path(data_dir)
    for table in contract.TABLES:
        _source, files = _locate(root, table)
        for f in files:
            st = f.stat()
            digest.update(f"{f}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


class Warehouse:
    """Contract tables of one data directory as DuckDB views, optionally restricted to towns.

    `Warehouse(dir, scope)` opens the data directory; `wh.scoped(towns)` and `wh.unscoped()` open
    another scope on the same database (close() drops that scope's schema; it is dropped too when
    the object is garbage-collected)."""

    def __init__(
        self,
        data_dir: str | Path,
        scope: frozenset[str] | set[str] | None = None,
        strict: bool = True,
    ):
        self.strict = strict
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise DataError(
                f"数据目录不存在：{self.data_dir}（用 --data 或环境变量 KECHUANG_DATA 指定）"
            )
        self.scope = frozenset(scope) if scope is not None else None
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
        self._open_scope()

    # -- opening -----------------------------------------------------------------------------

    def _register(self, table: str, strict: bool) -> TableInfo:
        source, files = _locate(self.data_dir, table)
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

    def _reader(self, info: TableInfo) -> str:
        hive = any(
            "=" in p.name for f in info.files for p in f.relative_to(info.source).parents if p.name
        )
        paths = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in info.files) + "]"
        return (
            f"read_parquet({paths}, union_by_name = true, hive_partitioning = {str(hive).lower()})"
        )

    def _create_raw_view(self, info: TableInfo) -> None:
        reader = self._reader(info)
        try:
            found = {
                row[0]: _base_type(row[1])
                for row in self._db.execute(f"describe select * from {reader}").fetchall()
            }
        except duckdb.Error as err:
            raise DataError(
                f"表 {info.name} 无法读取（{info.source}）：{str(err).splitlines()[0]}"
            ) from None
        for col in contract.columns(info.name):
            if col.name not in found:
                raise DataError(
                    f"表 {info.name} 缺少列 {col.name}（{col.label}），应为 "
                    f"{col.type}（{info.source}）"
                )
            if found[col.name] not in _ACCEPTED[col.type]:
                raise DataError(
                    f"表 {info.name} 列 {col.name}（{col.label}）类型不符：应为 {col.type}，实为 "
                    f"{found[col.name]}（{info.source}）"
                )
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

    def _open_scope(self) -> None:
        """This warehouse's schema (its towns, the contract tables bounded to them) and its own
        connection."""
        self._schema = schema = f"scope_{next(_SCHEMAS)}"
        self._summaries: set[str] = set()  # summaries materialised so far in this schema
        self._summary_lock = threading.RLock()
        with self._lock:
            cur = self._db.cursor()
        try:
            cur.execute(f"create schema {schema}")
            cur.execute(f"create table {schema}._scope (town varchar)")
            for town in sorted(self.scope or ()):
                cur.execute(f"insert into {schema}._scope values ($town)", {"town": town})
            for table in contract.TABLES:
                cur.execute(self._scoped_view(table))
            self._recorded_views(cur)
        finally:
            cur.close()
        self.con = self._connect()

    def _scoped_view(self, table: str) -> str:
        names = {c.name for c in contract.columns(table)}
        towns = f"(select town from {self._schema}._scope)"
        if self.scope is None:
            where = ""
        elif table in _SCOPED_BY_OWN_TOWN:
            where = f"where town in {towns}"
        elif "uscc" in names:
            where = f"where uscc in (select uscc from main._raw_enterprises where town in {towns})"
        else:
            where = ""  # county-level records (trainings, commissioners) carry no enterprise
        return f"create view {self._schema}.{table} as select * from main._raw_{table} {where}"

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """A new connection to the database that reads this warehouse's schema first (then main's
        shared objects)."""
        with self._lock:
            cur = self._db.cursor()
        cur.execute(f"set search_path = '{self._schema},main'")
        return cur

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
        return data_version(self.data_dir)

    # -- contacts recorded in the dashboard (kechuang/worklog), beside the service_visits file ---

    def _create_recorded_contacts(self) -> None:
        """The table of the work records' contacts, shared by every scope of this database and
        filled by set_recorded_contacts; each scope's views over it come with the scope
        (_recorded_views)."""
        self.recorded_stamp: object = None
        cols = ", ".join(f"{name} {kind}" for name, kind in RECORDED_CONTACT_COLUMNS.items())
        self._db.execute(f"create table main._raw_recorded_contacts ({cols})")

    def _recorded_views(self, cur: duckdb.DuckDBPyConnection) -> None:
        """In this scope's schema: `recorded_contacts` (bounded to its towns like the enterprise
        tables) and `service_contacts`, every contact that counts as a service visit — the file's
        rows, then each recorded (firm, day, service type) the file does not hold already, counted
        once. Names in the query are bound to this schema, not to whichever reads it."""
        schema = self._schema
        where = ""
        if self.scope is not None:
            where = (
                "where uscc in (select uscc from main._raw_enterprises"
                f" where town in (select town from {schema}._scope))"
            )
        cur.execute(
            f"create view {schema}.recorded_contacts as "
            f"select * from main._raw_recorded_contacts {where}"
        )
        query = re.sub(
            r"\bfrom (recorded_contacts|service_visits)\b",
            rf"from {schema}.\1 as \1",
            query_text("service_contacts"),
        )
        cur.execute(f"create view {schema}.service_contacts as {query}")

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

    # -- querying ----------------------------------------------------------------------------

    def available(self, *tables: str) -> bool:
        """Whether every named table is present and usable."""
        return all(self.tables[t].available for t in tables)

    def missing(self, *tables: str) -> list[str]:
        return [t for t in tables if not self.tables[t].available]

    def query(self, name: str, **params) -> pl.DataFrame:
        """Run `queries/<name>.sql` with bound parameters; one cursor per call (thread-safe)."""
        sql = query_text(name)
        self.prepare(sql)
        cur = self.cursor()
        try:
            return cur.sql(sql, params=_bound(sql, params)).pl()
        finally:
            cur.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new connection reading this warehouse's schema first; close it after use. Call
        prepare(sql) before running SQL that reads summaries or should read settled tables (query()
        does both)."""
        self._drop_released()
        return self._connect()

    def prepare(self, sql: str, building: str | None = None) -> None:
        """Settle the text columns of the tables the SQL names and build the summaries it reads
        (once each)."""
        named = set(re.findall(r"\b[a-z0-9_]+\b", sql))
        reads = {t for view, ts in _VIEWS_READING.items() if view in named for t in ts}
        tables = [t for t in list(self._unsettled) if t in named or t in reads]
        if self.scope is not None and "enterprises" in self._unsettled and tables:
            tables.append(
                "enterprises"
            )  # the scope filter of every enterprise-level view reads the register
        summaries = [
            n
            for n in dict.fromkeys(re.findall(r"\b_sum_([a-z0-9_]+)", sql))
            if n not in self._summaries and n != building
        ]
        if not tables and not summaries:
            return
        # One step at a time under the lock (each is done once): a query waits for the steps it
        # needs, not for a whole warm-up running in another thread. Settling is shared by every
        # scope of the database.
        for table in tables:
            with self._settle_lock:
                self._settle(table)
        for name in summaries:
            with self._summary_lock:
                self._summary(name)

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

    def _summary(self, name: str) -> None:
        """Materialise `queries/sum_<name>.sql` as the table `_sum_<name>` of this warehouse's
        schema."""
        if name in self._summaries:
            return
        sql = query_text(f"sum_{name}")
        self.prepare(sql, building=name)
        cur = self._connect()
        try:
            cur.execute(f"create or replace table {self._schema}._sum_{name} as {sql}")
        finally:
            cur.close()
        self._summaries.add(name)

    def warm_up(self, background: bool = True) -> threading.Thread | None:
        """Do the one-off work of this data version now (settle every table, build the summaries
        the screen, rd_coverage and the metrics read), e.g. while a login page is shown; in a
        daemon thread unless background is False."""

        def work() -> None:
            self.prepare(" ".join(self.tables) + " _sum_firms _sum_firm_year")
            cur = self.cursor()
            # A result's first conversion to polars imports pyarrow (≈ 0.1 s): not in the first
            # page's query.
            try:
                cur.sql("select 1 as ready").pl()
            finally:
                cur.close()

        if not background:
            work()
            return None
        thread = threading.Thread(target=work, name="kechuang-warm-up", daemon=True)
        thread.start()
        return thread

    # -- other scopes on the same database ---------------------------------------------------

    def scoped(self, towns: set[str] | frozenset[str] | None) -> Warehouse:
        """The same data restricted to towns (within this warehouse's own scope), on the same
        database."""
        if towns is not None and self.scope is not None:
            towns = frozenset(towns) & self.scope
        elif towns is None:
            towns = self.scope
        return self._view(frozenset(towns) if towns is not None else None)

    def unscoped(self) -> Warehouse:
        """The whole county on the same database: for facts about the data itself (how far back a
        source reaches), never for rows shown to a town-bounded user."""
        return self._view(None)

    def _view(self, towns: frozenset[str] | None) -> Warehouse:
        view = copy.copy(self)  # shares the database, its tables, settling state and locks
        view.scope, view._root = towns, False
        view._open_scope()
        # Dropped when closed or garbage-collected (e.g. evicted from the app's cache): by the next
        # query, not in the collector's thread, which may hold the lock a drop needs.
        weakref.finalize(view, view._released.append, view._schema).atexit = False
        return view

    def _drop_released(self) -> None:
        while self._released:
            schema = self._released.pop()
            with self._lock:
                cur = self._db.cursor()
            try:
                cur.execute(f"drop schema if exists {schema} cascade")
            finally:
                cur.close()

    def close(self) -> None:
        """Close this warehouse: a scope opened by scoped()/unscoped() drops its schema; the
        warehouse that opened the data directory closes the database (and with it every scope opened
        on it)."""
        self.con.close()
        if self._root:
            self._db.close()
        else:
            self._released.append(self._schema)
            self._drop_released()
