"""Garbage collection at most once every INTERVAL_S while pages run, not after every script run.

Streamlit's `runner.postScriptGC` (off in .streamlit/config.toml) runs a full collection after
every script run of every session: with thirty sessions that walked every session's objects a
dozen times a second (≈ 13% of a warm page switch with one session, more with thirty; issue 23).
Without any, Python's generational collection alone let a minute of thirty sessions leave ≈ 660
MiB resident against ≈ 430 MiB (bench/load.py): cyclic garbage promoted to the oldest generation
waits for a full collection, and an idle server starts none. So app.py calls ran() on every run,
and one thread collects INTERVAL_S after a run, then again every INTERVAL_S while runs go on,
and once more after the last (the memory comes back when the meeting ends).

glibc keeps freed memory in per-thread arenas (up to 8 × cores of them) and gives little back:
with every session's script thread allocating, thirty sessions left the server at ≈ 660 MiB a
minute after they closed, collections or not. Started with MALLOC_ARENA_MAX=2 (`make run`, the
README's service unit, the bench) there are two: ≈ 430 MiB after (bench/load.py); limit_arenas()
(serve.py, first thing) caps those made after it for a server started otherwise. Each collection
ends with malloc_trim, which returns free pages to the system. Elsewhere than glibc both do
nothing."""

from __future__ import annotations

import ctypes
import gc
import threading
import time

INTERVAL_S = 2.0
ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None


_LIBC = _libc()


def limit_arenas(n: int = ARENAS) -> None:
    """At most n malloc arenas from now on (glibc's MALLOC_ARENA_MAX, set from inside)."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_ARENA_MAX, n)


_pending = threading.Event()
_started = threading.Lock()
_thread: threading.Thread | None = None


_last_activity = float("-inf")  # time.monotonic() of the last script run or HTTP request begun


def ran() -> None:
    """A script run happened: collect within INTERVAL_S (one thread per process, started here)."""
    global _thread, _last_activity
    _last_activity = time.monotonic()
    _pending.set()
    if _thread is None:
        with _started:
            if _thread is None:
                _thread = threading.Thread(target=_loop, name="kechuang-gc", daemon=True)
                _thread.start()


def requested() -> None:
    """An HTTP request arrived (a page's scripts, a download): the server is not idle."""
    global _last_activity
    _last_activity = time.monotonic()


def idle_s() -> float:
    """Seconds since the last script run or HTTP request began (kechuang/ui/ahead.py works only
    when idle)."""
    return time.monotonic() - _last_activity


def _loop() -> None:
    while True:
        _pending.wait()
        time.sleep(INTERVAL_S)  # runs in this interval share the one collection
        _pending.clear()  # the runs so far are covered by this collection
        gc.collect()
        if _LIBC is not None:
            _LIBC.malloc_trim(0)
