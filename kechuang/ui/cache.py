"""The cached warehouse and cached calls pages read their figures through: one warehouse per data
version, work-records version and scope (the signed-in user's towns bound every one), and
open_or_stop's clear message when the data directory cannot be opened.

Loads polars and DuckDB (kechuang.engine.warehouse): the login page does not import it (app.py
imports it after the login form is drawn)."""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
import time
from datetime import date
from pathlib import Path

import streamlit as st

from kechuang import settings
from kechuang.engine.sources import DataError, data_version
from kechuang.engine.warehouse import Warehouse
from kechuang.ui import warmup
from kechuang.ui.access import user_scope
from kechuang.zh import fmt


def data_dir() -> Path:
    return settings.current().data_dir


# The version is part of every key: a new data version opens a new database, never a stale one.
@st.cache_resource(show_spinner=False, max_entries=2)
def _county(path: str, version: str) -> Warehouse:
    wh = Warehouse(path, strict=False)
    wh.warm_up()  # the version's one-off work (clean-column checks, summaries), in a thread
    return wh


# A town scope is a schema on the county's database (its bounded views and town-sized summaries),
# not a copy of the data: 64 of them cost less than one county (issue 23: one copy per town took
# the server from 75 MB to 640 MB).
@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600)
def _town_scope(path: str, scope: tuple[str, ...], version: str) -> Warehouse:
    wh = _county(path, version).scoped(frozenset(scope))
    wh.warm_up()  # its summaries, over its bounded views
    return wh


def _open(path: str, scope: tuple[str, ...] | None, version: str) -> Warehouse:
    return _county(path, version) if scope is None else _town_scope(path, scope, version)


def open_county(wait: bool = False) -> Warehouse:
    """The county warehouse of the current data version, opened (cached) with its warm-up started;
    with `wait`, finished."""
    path = str(data_dir())
    wh = _open(path, None, data_version(path))
    if wait:
        wh.warm_up(background=False)  # the summaries are settled once: a second call finds them
    return wh


def prepare_in_background() -> None:
    """While the login page shows: open the county warehouse (its warm-up starts), then import
    every page's modules and freeze them (kechuang/ui/warmup.py) in a thread.

    Called after the form is drawn. Nothing is read for anyone here; the first page after login
    then finds the work done. (Measured: doing the open and this module's import in a thread
    instead made the login page slower to appear, ≈ 2.2 s against ≈ 1.7 s.) Served by serve.py
    both were done before the server answered, and this finds them done."""
    # A data problem is reported by open_or_stop after login, with its message.
    with contextlib.suppress(Exception):
        open_county()
    # After the open: an import thread started first holds the GIL while the server's event loop
    # should be sending the form (measured: the login form ≈ 0.2 s later).
    warmup.start()


_PINNED = "_kechuang_data_version"

# Both versions are looked up again only when a cheap sign says something changed or
# VERSIONS_TTL_S has passed, not on every run: data_version stats and resolves every table's file
# (≈ 200 system calls) and the records' version is a query; each such call lets another thread take
# the interpreter and waits to get it back, which under thirty sessions made them a large part of a
# page switch (py-spy, issue 23). The signs: the data folder's mtime (an ingest or rollback swaps a
# link in it) and this process's count of written records (kechuang/worklog/store.py). A file
# rewritten in place, or records written by another process (the CLI), show within VERSIONS_TTL_S.
VERSIONS_TTL_S = 1.0
_looked: dict[tuple, tuple[float, object, object]] = {}
_looked_lock = threading.Lock()


def _recent(what: tuple, sign, look):
    now = time.monotonic()
    with _looked_lock:
        seen = _looked.get(what)
    if seen is not None and seen[1] == sign and now - seen[0] < VERSIONS_TTL_S:
        return seen[2]
    value = look()
    with _looked_lock:
        _looked[what] = (now, sign, value)
    return value


def _folder_mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def current_data_version(path: str) -> str:
    return _recent(("data", path), _folder_mtime(path), lambda: data_version(path))


def current_records_version() -> tuple:
    from kechuang.worklog import store

    return _recent(("records", _state_database()), store.writes(), _records_version)


def pin_data_version() -> str:
    """Fix the data version for this script run (open_or_stop calls it at the top of every page)."""
    path = str(data_dir())
    version = current_data_version(path)
    st.session_state[_PINNED] = (path, version)
    st.session_state[_RECORDS] = current_records_version()
    return version


_RECORDS = "_kechuang_records_version"


def _records_version() -> tuple:
    """The work records' version (kechuang/worklog): part of every cached call's key, since
    key_enterprises_served and the 科小二 figures count the contacts recorded in the dashboard."""
    from kechuang.state import db
    from kechuang.worklog import reading

    return reading.version(db.engine())


def _state_database() -> str:
    from kechuang.state import db

    return db.state_url()


def _records() -> tuple:
    return st.session_state.get(_RECORDS) or _records_version()


def _with_records(key: tuple, records: tuple) -> Warehouse:
    from kechuang.worklog import bridge

    return bridge.attach(_open(*key), stamp=records)


def _version(path: str) -> str:
    # Pinned once per run, so an ingest landing mid-run never mixes two data versions on one page;
    # the next run pins the new version (no restart needed). Cached warehouses read the resolved,
    # immutable files.
    pinned = st.session_state.get(_PINNED)
    return pinned[1] if pinned and pinned[0] == path else current_data_version(path)


def _key(scope: frozenset[str] | None = None) -> tuple[str, tuple[str, ...] | None, str]:
    # The signed-in user's towns bound every warehouse this session opens: a page asking for the
    # whole county, or a URL naming another town, still gets only the user's towns.
    allowed = user_scope()
    if allowed is not None:
        scope = allowed if scope is None else frozenset(scope) & allowed
    path = str(data_dir())
    return path, tuple(sorted(scope)) if scope is not None else None, _version(path)


def warehouse(scope: frozenset[str] | None = None) -> Warehouse:
    """The warehouse of the configured data directory (optionally restricted to towns)."""
    return _with_records(_key(scope), _records())


@st.cache_data(show_spinner=False, max_entries=512)
def _call(module: str, name: str, key: tuple, records: tuple, args: tuple, kwargs: dict):
    return _compute(module, name, key, records, args, kwargs)


def _compute(module: str, name: str, key: tuple, records: tuple, args: tuple, kwargs: dict):
    """A cached call's work, done on a miss only (tests count the misses here)."""
    func = getattr(importlib.import_module(module), name)
    return func(_with_records(key, records), *args, **kwargs)


def cached(func, *args, scope: frozenset[str] | None = None, **kwargs):
    """func(warehouse, *args, **kwargs), cached per data version, work-records version, scope and
    arguments."""
    return _call(func.__module__, func.__qualname__, _key(scope), _records(), args, kwargs)


def ahead(func, args: tuple, town: str | None, version: str, records: tuple):
    """func(warehouse, *args) for one town (None: the county) as a page of a session scoped to it
    would call it through cached(): the same cache entry (kechuang/ui/ahead.py; outside any run)."""
    key = (str(data_dir()), (town,) if town else None, version)
    return _call(func.__module__, func.__qualname__, key, records, tuple(args), {})


def versions_now() -> tuple[str, tuple]:
    """The data and work records' versions now, as the next run would pin them (outside a run)."""
    return current_data_version(str(data_dir())), current_records_version()


def county_warehouse() -> Warehouse:
    """The whole county's warehouse, whoever is signed in: only to look up a firm's town before a
    record is refused or allowed (kechuang/worklog), never to show data."""
    path = str(data_dir())
    return _open(path, None, _version(path))


def open_or_stop() -> Warehouse:
    """The warehouse, or a clear message and a stop when the data directory cannot be opened."""
    try:
        pin_data_version()
        return warehouse()
    except DataError as err:
        st.error(f"无法打开数据：{fmt.md(err)}")
        st.info(
            "生成演示数据：`python -m kechuang demo-data --out data/demo`，或用环境变量 "
            "KECHUANG_DATA 指定数据目录。"
        )
        st.stop()


def towns() -> list[str]:
    """The towns in the data this session may see."""
    return cached(_towns)


def _towns(wh: Warehouse) -> list[str]:
    return wh.query("towns")["town"].to_list()


def town_scope(town: str | None) -> frozenset[str] | None:
    return frozenset({town}) if town else None


def town_standing(as_of: date, town: str):
    """The town against the county's towns (models.towns.town_standing), for any account that
    may see the town — a town officer included, though their warehouse holds only their towns.

    Decided (README, Access control): rank and share of county are aggregates a town officer may
    see; they are computed on the county's data here and nothing else of other towns leaves it."""
    allowed = user_scope()
    if allowed is not None and town not in allowed:
        return []
    from kechuang.models import towns

    path = str(data_dir())
    county = (path, None, _version(path))
    # The county's town table once (cached), every town's standing from it.
    table = _call("kechuang.models.towns", "town_table", county, _records(), (as_of,), {})
    return towns.standing_in(table, town)
