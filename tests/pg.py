"""A throwaway PostgreSQL server for the state database's tests, and the `state_url` fixture.

`pg_server` (once per test run) runs Debian's initdb and pg_ctl (`make postgres` installs them) in a
temporary folder, listening on 127.0.0.1 at a free port only; as root the cluster belongs to an
unprivileged user (PostgreSQL refuses to run as root). `state_url` is parametrized over
["sqlite", "postgresql"]: a fresh, empty database of each kind per test."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("KECHUANG_PG_BIN", "/usr/lib/postgresql/15/bin"))
RUN_AS = "nobody"  # the cluster's owner when the tests run as root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", RUN_AS, "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def pg_server():
    """The base URL (database `postgres`) of a PostgreSQL server that lives as long as the test
    run."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 is not installed ({PG_BIN}); `make postgres` installs it")
    folder = Path(tempfile.mkdtemp(prefix="kechuang-pg-"))  # /tmp itself: the owner must reach it
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, RUN_AS)
    port = _free_port()
    quiet = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    subprocess.run(
        _as_owner([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
        **quiet,
    )
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_owner(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]
            + ["-o", options, "start"]
        ),
        **quiet,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


def new_pg_database(base_url: str) -> str:
    """A new empty database on the server of `base_url`; its URL."""
    from sqlalchemy import create_engine, text

    name = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request, tmp_path):
    """A fresh state database URL: SQLite in the test's folder, or a new database on `pg_server`."""
    from kechuang.state import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state_test.db'}"
    else:
        url = new_pg_database(request.getfixturevalue("pg_server"))
    yield url
    db.dispose(url)
