"""A fresh server's warm-up, after the login form is drawn: import what every page draws with, then
freeze what is loaded so Streamlit's collection after each script run stops walking it.

Streamlit runs a full garbage collection (gc.collect(2)) after every script run of every session
(`runner.postScriptGC`, kept on: it returns the memory of closed pages). Walking the ≈ 180,000
objects of the loaded libraries (pandas, Plotly, polars, DuckDB, SQLAlchemy) took ≈ 0.1 s of the one
interpreter all sessions share: ≈ 60% of the server's CPU per page switch under bench/load.py
(py-spy, issue 23). gc.freeze() moves the objects alive at that moment into a generation the
collector skips; objects that later die by reference count are still freed, and what is frozen
here (modules, classes, functions) lives as long as the process anyway."""

from __future__ import annotations

import atexit
import gc
import importlib
import pkgutil
import threading

# The first page after login (总览) draws with these: imported first (kechuang.charts before any
# chart module: see its __init__). Then every module of the packages pages draw with.
_FIRST = (
    "kechuang.charts",
    "plotly.graph_objects",
    "kechuang.charts.overview",
    "kechuang.models.overview",
    "kechuang.output.summary",
)
_PACKAGES = ("kechuang.charts", "kechuang.models", "kechuang.worklog", "kechuang.output")

_done = threading.Event()
_lock = threading.Lock()


def _modules() -> list[str]:
    names = list(_FIRST)
    for package in _PACKAGES:
        names.append(package)
        found = importlib.import_module(package)
        prefix = package + "."
        names += [m.name for m in pkgutil.walk_packages(found.__path__, prefix)]
    return names


def import_and_freeze() -> None:
    """Import every page's modules, then collect once and freeze what is alive (once a process)."""
    with _lock:
        if _done.is_set():
            return
        for name in _modules():
            importlib.import_module(name)
        gc.collect()
        gc.freeze()
        atexit.register(gc.unfreeze)  # let extension types free their objects at exit, quietly
        _done.set()


def start() -> None:
    """import_and_freeze() in a daemon thread (the login page is not kept waiting)."""
    if not _done.is_set():
        threading.Thread(target=import_and_freeze, name="kechuang-warmup", daemon=True).start()
