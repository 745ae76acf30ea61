"""Every town's pages computed ahead, while the server is idle: a meeting's thirty phones each open
their own town, and each would otherwise compute that town's pages cold on the one interpreter
they share (≈ 0.9 s of CPU per town at county scale, eighteen towns; issue 23).

What is computed is exactly what the pages ask the cache for (cache.cached) with their filters
untouched — the data's last day, one town or the county, 精准筛选's standard thresholds — for
总览, 目标进度, 精准筛选, 技术合同 and 研发活动清零: the pages a leader or a town's officer opens
first. They are the same cache entries, so a page finds them (tests/test_ahead.py opens the pages
and counts what they compute). Other dates, thresholds and pages are computed when asked.

When: serve.py computes the county's 总览 before the server answers (the first page after a fresh
start), then starts this thread. It works only while no page is running and neither a page nor an
HTTP request (a browser loading the app's scripts) has begun for QUIET_S — one step is at most
≈ 0.3 s of CPU, so a page arriving meanwhile waits at most that — and starts again when the data
version (an ingest) or the work records' version (a saved record: part of every cache key)
changes. The entries are the cache's own, bounded by its max_entries."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

from kechuang.engine import metrics, plan
from kechuang.models import overview as cockpit
from kechuang.models import threshold_inputs, timeline, workbench
from kechuang.models import towns as town_models
from kechuang.models.programmes import contracts
from kechuang.ui import cache, collector, gate, panels
from kechuang.worklog import briefing as worklog_briefing
from kechuang.worklog import rules

QUIET_S = 3.0  # nothing has begun for this long: the server is idle (a reader pauses less)
POLL_S = 5.0  # how often a new data or records version is looked for

_LOG = logging.getLogger(__name__)


class _Stale(Exception):
    """The data or records version changed while preparing: start again with the new one."""


class Round:
    """One version's preparation: each call waits for an idle server, then fills one entry."""

    def __init__(self, version: str, records: tuple, wait: bool = True):
        self.version, self.records, self.wait = version, records, wait

    def call(self, func, *args, town: str | None = None):
        if self.wait:
            _wait_until_idle()
            if cache.versions_now() != (self.version, self.records):
                raise _Stale
        return cache.ahead(func, args, town, self.version, self.records)

    def county_overview(self) -> tuple[date, plan.Plan | None, cockpit.Overview]:
        """总览 for the county (the first page after login) and what the other steps start from."""
        as_of = self.call(metrics.default_as_of)
        the_plan = plan.load_plan(as_of.year)
        self.call(panels._freshness)  # every page's note on the data's freshness
        view = self.call(cockpit.overview, as_of, the_plan, None, True)
        self.call(worklog_briefing.untouched, as_of, rules.today())  # towns nobody worked on
        self.call(timeline.cumulative, cockpit.chart_metric(view.alerts_for(None)), as_of, the_plan)
        return as_of, the_plan, view

    def pages(self, as_of: date, the_plan, view: cockpit.Overview, town: str | None) -> None:
        """The pages of one town (None: the county) with untouched filters."""
        if town is not None:
            # 总览 of a town, as the county's accounts see it (the county's view, the town's cards
            # and chart) and as the town's officer does (their own warehouse's view).
            self.call(cockpit.cards, as_of, the_plan, town=town)
            chosen = cockpit.chart_metric(view.alerts_for(town))
            self.call(timeline.cumulative, chosen, as_of, the_plan, town=town)
            self.call(metrics.default_as_of, town=town)  # the same day (the county's freshness)
            self.call(panels._freshness, town=town)
            own = self.call(cockpit.overview, as_of, the_plan, town, False, town=town)
            chosen = cockpit.chart_metric(own.alerts_for(town))
            self.call(timeline.cumulative, chosen, as_of, the_plan, town=town)
        self.call(metrics.progress, as_of, the_plan, town=town)  # 目标进度
        thresholds = threshold_inputs.untouched_hnte_thresholds()
        self.call(workbench.screen_page, as_of, thresholds, town=town)  # 精准筛选
        target = the_plan.target(contracts.METRIC_ID) if the_plan else None
        self.call(contracts.contracts_view, as_of, target, town=town)  # 技术合同
        self.call(contracts.prospects, as_of, town=town)
        self.call(metrics.rd_coverage, as_of, town=town)  # 研发活动清零

    def everything(self) -> None:
        as_of, the_plan, view = self.county_overview()
        self.call(town_models.town_table, as_of)  # every town's standing on its 总览
        self.pages(as_of, the_plan, view, None)
        for town in self.call(cache._towns):
            self.pages(as_of, the_plan, view, town)


def _wait_until_idle() -> None:
    while gate.runs() or collector.idle_s() < QUIET_S:
        time.sleep(max(0.1, QUIET_S - collector.idle_s()))


def current(wait: bool = True) -> Round:
    """A round for the data and work records as they are now (wait: each step for an idle
    server)."""
    return Round(*cache.versions_now(), wait=wait)


def county_overview_now() -> None:
    """总览 for the county computed at once (serve.py, before the server answers)."""
    current(wait=False).county_overview()


_started = threading.Lock()
_thread: threading.Thread | None = None


def start() -> None:
    """The thread that keeps every town's pages computed (once per process)."""
    global _thread
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_loop, name="kechuang-ahead", daemon=True)
            _thread.start()


def _loop() -> None:
    done: tuple | None = None  # the versions last prepared (or tried)
    while True:
        try:
            round_ = current()
            stamp = (round_.version, round_.records)
            if stamp != done:
                started = time.perf_counter()
                done = stamp  # a round that fails is not tried again for the same versions
                round_.everything()
                _LOG.info("pages computed ahead in %.1f s", time.perf_counter() - started)
        except _Stale:
            done = None
            continue
        except Exception:  # a data problem: the pages say it, with its message, when opened
            _LOG.warning("pages not computed ahead", exc_info=True)
        time.sleep(POLL_S)
