"""The warehouse: a data directory of Parquet extracts, opened as DuckDB views, optionally
restricted to towns.

Connection strategy: one in-memory DuckDB database per opened data directory (Database,
database.py: its `main` schema holds what every scope shares). Each Warehouse, the county or a set
of towns, owns one more schema: the contract tables as views bounded to its towns (plus its
`_scope` table) and its summaries. `scoped()` opens another scope *on the same database*, so a
town's warehouse costs its views and its town-sized summaries, not another copy of the data (one
copy per town scope took the app from 75 MB to 640 MB with thirty sessions). `con` is the
warehouse's own connection with its schema first on the search path, so an unqualified
`enterprises` is always this warehouse's bounded view; `main` holds no contract table under its
own name, so a name missing from the schema fails instead of reading the county.

Every query runs on its own cursor (a fresh connection to the same database, the search path set
again), because a DuckDB connection is not thread-safe and a pending result is emptied by the next
`execute` on the same connection. Streamlit runs each session in its own thread, so one cursor per
query is what keeps concurrent reruns apart; cursors are cheap (no data is copied).

Summaries: a query may read `_sum_<name>`: the result of `queries/sum_<name>.sql` (no parameters),
materialised in this warehouse's schema on first use. Summaries are built over the scoped views, so
a town-scoped warehouse's summaries hold only its towns. They are guarded by one lock per
warehouse, because queries arrive from several threads; the settling of the tables a query reads
(database.py) by one per database.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import weakref
from pathlib import Path

import duckdb
import polars as pl

from kechuang.engine import contract
from kechuang.engine.database import DERIVED_VIEWS, Database
from kechuang.engine.sql import bound_params, query_text

# Views over contract tables: a query naming one prepares the tables it reads.
_VIEWS_READING = {"service_contacts": ("service_visits",)}

# Tables scoped through their own town column rather than through the enterprise's.
_SCOPED_BY_OWN_TOWN = {"enterprises", "sci_projects"}


_SCHEMAS = itertools.count(1)  # one schema per opened scope, never reused within the process


class Warehouse(Database):
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
        super().__init__(data_dir, strict)
        self.scope = frozenset(scope) if scope is not None else None
        self._open_scope()

    # -- this warehouse's scope ----------------------------------------------------------------

    def _open_scope(self) -> None:
        """This warehouse's schema (its towns, the contract tables and DERIVED_VIEWS bounded to
        them) and its own connection."""
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
            for table in (*contract.TABLES, *DERIVED_VIEWS):
                cur.execute(self._scoped_view(table))
        finally:
            cur.close()
        self.con = self._connect()

    def _scoped_view(self, table: str) -> str:
        """`create view <schema>.<table>` over `main._raw_<table>`, bounded to this scope's towns:
        the one way a scope sees a table."""
        if table in DERIVED_VIEWS:
            names = set(DERIVED_VIEWS[table])
        else:
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
            return cur.sql(sql, params=bound_params(sql, params)).pl()
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
            self.prepare(" ".join(self.tables) + " _sum_firms _sum_firm_year _sum_firm_settled")
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
