"""Scheduling the metric queries: a thread pool shared by the process and Shared, the results one
computation needs several times, fetched once and side by side.

metrics computes (one metric's rows, its actual, its pace); prefetch schedules (which of those
queries run at once, and keeps their results for the length of one call). Functions of metrics,
timeline and the page models take a Shared as `shared=` and read through it.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import polars as pl

from kechuang.engine.metrics import METRIC_BY_ID, METRICS, RdCoverage, metric_events, rd_coverage
from kechuang.engine.warehouse import Warehouse

PREFETCH_THREADS = 4  # metric queries run side by side (Shared.prefetch)
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def pool() -> ThreadPoolExecutor:
    """The threads Shared.prefetch runs its queries on: made once per process (starting threads on
    every call costs more than a small query); shared by every session (the executor is
    thread-safe, its jobs never wait on each other)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(
                max_workers=PREFETCH_THREADS, thread_name_prefix="kechuang-prefetch"
            )
        return _POOL


class Shared:
    """Results one computation needs several times (each metric's events, rd_coverage), fetched
    once.

    Made by a caller for the length of one call (a card set, a town table, a workbook) and passed
    to metrics' functions as `shared=`: it never outlives the call, so nothing in it can go
    stale."""

    def __init__(self) -> None:
        self._events: dict[tuple[str, date], pl.DataFrame | None] = {}
        self._rd: dict[date, RdCoverage] = {}
        self._pending: dict[
            tuple[str, date], Future
        ] = {}  # started, not yet read (prefetch_dates(wait=False))
        self._by_town: dict[tuple[str, date], pl.DataFrame | None] = {}  # by_town's splits

    def _settle(self, key: tuple[str, date]) -> None:
        job = self._pending.pop(key, None)
        if job is not None:
            result = job.result()
            if key[0] == "rd_coverage":
                self._rd[key[1]] = result
            else:
                self._events[key] = result

    def wait(self) -> None:
        """Read every started query (a caller's last step: no query may outlive its call)."""
        for key in list(self._pending):
            self._settle(key)

    def events(self, wh: Warehouse, metric_id: str, as_of: date) -> pl.DataFrame | None:
        key = (metric_id, as_of)
        self._settle(key)
        if key not in self._events:
            self._events[key] = metric_events(wh, metric_id, as_of)
        return self._events[key]

    def prefetch(
        self, wh: Warehouse, as_of: date, ids: list[str] | None = None, rd: bool = True
    ) -> None:
        """Fetch countable metrics' events (all, or `ids`) and rd_coverage on the as-of date at
        once, on parallel cursors.

        Each query is small, so their fixed costs dominate; DuckDB runs them side by side (it
        releases the GIL)."""
        self.prefetch_dates(wh, [(as_of, ids, rd)])

    def prefetch_dates(
        self, wh: Warehouse, wants: list[tuple[date, list[str] | None, bool]], wait: bool = True
    ) -> None:
        """prefetch() for several as-of dates (date, ids or None for all, rd) in one batch of
        parallel queries.

        With wait=False it returns once they are started: each is read when first asked for
        (events, rd_coverage), so the caller works on early results while later ones run; it then
        calls wait() before it returns."""
        asked = []
        # In the order asked (the first date's queries first), each date's largest first.
        for as_of, ids, rd in wants:
            ids = (
                [m.id for m in METRICS if not m.is_ratio]
                if ids is None
                else [i for i in ids if not METRIC_BY_ID[i].is_ratio]
            )
            asked += [("rd_coverage", as_of)] * rd + [(i, as_of) for i in ids]
        asked = list(dict.fromkeys(asked))
        workers = pool()
        for key in asked:
            if key in self._pending or (
                key[1] in self._rd if key[0] == "rd_coverage" else key in self._events
            ):
                continue
            self._pending[key] = workers.submit(
                *(
                    (rd_coverage, wh, key[1])
                    if key[0] == "rd_coverage"
                    else (metric_events, wh, *key)
                )
            )
        # Only what was asked for here: queries started earlier for other dates keep running.
        if wait:
            for key in asked:
                self._settle(key)

    def rd_coverage(self, wh: Warehouse, as_of: date) -> RdCoverage:
        self._settle(("rd_coverage", as_of))
        if as_of not in self._rd:
            self._rd[as_of] = rd_coverage(wh, as_of)
        return self._rd[as_of]
