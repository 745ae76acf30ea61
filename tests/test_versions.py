"""The data and work-records versions a page run pins are looked up again only when a cheap sign
moved or VERSIONS_TTL_S passed (kechuang/ui/cache.py): an ingest's swap in the data folder and this
process's own records show at once, a file rewritten in place and another process's records
within the interval."""

from __future__ import annotations

import os

import pytest
from fixtures import firm, write_table

from kechuang.ui import cache
from kechuang.worklog import store


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(cache, "_looked", {})
    return now


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    write_table(folder, "enterprises", [firm(1)])
    os.utime(folder, ns=(10**18, 10**18))  # an old folder: a later change moves its mtime
    return folder


def test_a_file_rewritten_in_place_shows_after_the_interval(clock, data):
    first = cache.current_data_version(str(data))
    write_table(data, "enterprises", [firm(1), firm(2)])  # the same file: the folder is unchanged
    os.utime(data, ns=(10**18, 10**18))
    assert cache.current_data_version(str(data)) == first
    clock[0] += cache.VERSIONS_TTL_S - 0.01
    assert cache.current_data_version(str(data)) == first
    clock[0] += 0.01
    assert cache.current_data_version(str(data)) != first


def test_a_new_file_in_the_folder_shows_at_once(clock, data):
    first = cache.current_data_version(str(data))
    write_table(data, "patents", [])  # a new name in the folder, as an ingest's swap makes
    assert cache.current_data_version(str(data)) != first


def test_records_written_here_show_at_once_others_after_the_interval(clock, monkeypatch):
    versions = iter([("v1",), ("v2",), ("v3",)])
    monkeypatch.setattr(cache, "_records_version", lambda: next(versions))
    assert cache.current_records_version() == ("v1",)
    assert cache.current_records_version() == ("v1",)  # another process wrote: not yet
    monkeypatch.setattr(store, "_writes", store.writes() + 1)  # this process wrote
    assert cache.current_records_version() == ("v2",)
    clock[0] += cache.VERSIONS_TTL_S
    assert cache.current_records_version() == ("v3",)
