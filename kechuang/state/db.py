"""The state database: one SQLAlchemy engine per URL, migrated to the newest revision at first use.

    from kechuang.state import db, schema
    eng = db.engine()                 # KECHUANG_STATE, else sqlite:///<instance folder>/state.db
    with eng.begin() as conn:         # one transaction; on SQLite it holds the write lock
        conn.execute(schema.accounts.select())

URLs: `sqlite:///<absolute path>` (the default; WAL, busy timeout, file mode 0600) or
`postgresql+psycopg://user:password@host/db` for several app processes over one database.
Schema changes are Alembic revisions in migrations/versions/ (0001_initial, 0002_…), applied by
engine() at first use in each process and by `python -m kechuang db upgrade`; two processes
starting together migrate one after the other (a PostgreSQL advisory lock, SQLite's write lock).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from kechuang import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 15_000  # wait this long for another writer before "database is locked"
_MIGRATE_LOCK = 7_220_020  # PostgreSQL advisory lock key while migrating (any fixed number)

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def state_url(folder: Path | None = None) -> str:
    """The database URL: env KECHUANG_STATE, else SQLite `state.db` in `folder` (the instance
    folder)."""
    current = settings.current()
    if current.state != settings.default_state(current.instance_dir):  # KECHUANG_STATE is set
        return current.state
    return settings.default_state(folder or current.instance_dir)


def engine(url: str | None = None) -> Engine:
    """The engine of `url` (default state_url()), created once per process and migrated to head."""
    url = url or state_url()
    with _lock:
        found = _engines.get(url)
        if found is None:
            found = create(url)
            if not at_head(found):
                upgrade(found)
            _engines[url] = found
    return found


def dispose(url: str | None = None) -> None:
    """Close and forget the engine of `url` (every engine when None); tests drop their databases."""
    with _lock:
        for key in [url] if url else list(_engines):
            found = _engines.pop(key, None)
            _imported.difference_update({k for k in _imported if k[0] == key})
            if found is not None:
                found.dispose()


def create(url: str) -> Engine:
    """A new engine of `url` with our connection settings, not migrated and not cached."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        path = Path(database)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # private before SQLite opens it
    eng = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    @event.listens_for(eng, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, emit BEGIN (see _on_begin); SQLAlchemy's pysqlite recipe.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(
            "PRAGMA synchronous=NORMAL"
        )  # safe with WAL; a crash loses no committed data
        cursor.close()

    @event.listens_for(eng, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock at BEGIN, so a transaction that reads then writes waits for
        # another writer (busy timeout) instead of failing half-way with "database is locked". A
        # connection from read() only reads: a plain BEGIN, which under WAL never waits.
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return eng


_READ_ONLY = "kechuang_read_only"


@contextlib.contextmanager
def read(eng: Engine) -> Iterator[Connection]:
    """A connection for reading only. On SQLite its transaction does not take the write lock:
    every page rerun checks its session and the work records' version, and with thirty sessions
    those reads queued behind each other's BEGIN IMMEDIATE (issue 23). Elsewhere: eng.connect()."""
    with eng.connect() as conn:
        conn.execution_options(**{_READ_ONLY: True})
        yield conn


def alembic_config(connection=None):
    """Alembic's Config for our migrations (no alembic.ini): script_location set here."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


# The newest migration (tests/test_state_db.py checks it against alembic's own head). A process
# finding its database there skips alembic: loading its script directory and environment took
# ≈ 0.5 s of a fresh server's first page (issue 23).
HEAD = "0002_worklog"


def at_head(eng: Engine) -> bool:
    """Whether the database is at HEAD (read without alembic; False before the first migration)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with eng.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no alembic_version table yet
        return False
    return found == [HEAD]


def upgrade(eng: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` in one transaction, one process at a time."""
    from alembic import command

    with eng.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK})
        command.upgrade(alembic_config(conn), revision)


def current_revision(eng: Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def describe(url: str) -> str:
    """The URL with its password hidden, for messages and the admin page."""
    return make_url(url).render_as_string(hide_password=True)


_imported: set[tuple[str, str]] = set()


def instance(folder: Path | None = None, users_file: Path | None = None) -> Engine:
    """The state database of an instance folder (default: the users file's, settings):
    engine(state_url(folder)), with the folder's legacy JSON files imported once (legacy.py)."""
    from kechuang.state import legacy

    if folder is None:
        current = settings.current()
        folder, users_file = current.instance_dir, users_file or current.users
    folder = Path(folder)
    url = state_url(folder)
    eng = engine(url)
    key = (url, str(folder.resolve()))
    if key not in _imported:
        with _lock:
            if key not in _imported:
                legacy.import_folder(eng, folder, users_file)
                _imported.add(key)
    return eng
