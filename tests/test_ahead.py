"""Pages computed ahead (kechuang/ui/ahead.py): after one round, the pages it prepares open without
computing anything — for the county, for a town chosen by a county account and for the town's own
officer — so the entries it fills are exactly the ones the pages ask for. Counted where a cached
call does its work on a miss (cache._compute)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import streamlit as st
from fixtures import sign_in
from programme_fixture import CHANGSHA, write_county
from streamlit.testing.v1 import AppTest

from kechuang.ui import ahead, cache, collector

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "progress", "screening", "contracts", "rd-zero")
FILES = {p: f"views/{p.replace('-', '_')}.py" for p in PAGES}


@pytest.fixture
def county(tmp_path, monkeypatch) -> Path:
    data = write_county(tmp_path / "data")
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    return data


@pytest.fixture
def misses(monkeypatch) -> list[tuple]:
    """(function, scope) of every cached call computed from now on."""
    seen: list[tuple] = []
    compute = cache._compute

    def counting(module, name, key, records, args, kwargs):
        seen.append((name, key[1]))
        return compute(module, name, key, records, args, kwargs)

    monkeypatch.setattr(cache, "_compute", counting)
    return seen


def prepared() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    ahead.current(wait=False).everything()


def open_pages(account: str, town: str | None) -> None:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90), account)
    if town:
        at.query_params["town"] = town
    at.run()
    for page in PAGES:
        at.switch_page(FILES[page]).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title, page


@pytest.mark.parametrize(
    "account, town",
    [("analyst", None), ("analyst", CHANGSHA), ("leader", CHANGSHA), ("changsha", None)],
)
def test_the_prepared_pages_compute_nothing(county, misses, account, town):
    prepared()
    misses.clear()
    open_pages(account, town)
    assert misses == [], misses


def test_without_the_round_the_pages_compute(county, misses):
    st.cache_data.clear()
    st.cache_resource.clear()
    open_pages("analyst", CHANGSHA)
    assert {"overview", "screen_page", "contracts_view", "rd_coverage"} <= {n for n, _ in misses}


def test_a_round_waits_while_a_page_runs_and_starts_again_on_new_records(county, monkeypatch):
    """A step waits for an idle server: QUIET_S after the last run began."""
    slept: list[float] = []
    now = [100.0]
    monkeypatch.setattr(collector.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(collector, "_last_activity", 99.5)  # a run began half a second ago

    def sleep(s):
        slept.append(s)
        now[0] += s

    monkeypatch.setattr(ahead.time, "sleep", sleep)
    round_ = ahead.current()
    round_.call(ahead.metrics.default_as_of)
    assert slept == [ahead.QUIET_S - 0.5]  # then QUIET_S had passed since the run began
    slept.clear()  # a run that began long ago and is still going (or waiting its turn): wait on
    in_flight = itertools.chain([1, 1], itertools.repeat(0))
    monkeypatch.setattr(ahead.gate, "runs", lambda: next(in_flight))
    round_.call(ahead.metrics.default_as_of)
    assert slept == [0.1, 0.1]
    monkeypatch.setattr(ahead.cache, "versions_now", lambda: (round_.version, ("another",)))
    with pytest.raises(ahead._Stale):
        round_.call(ahead.metrics.default_as_of)
