"""Script runs take turns (kechuang/ui/gate.py): at most RUNS at once, the others in the order they
came, all of them counted; one that waited WAIT_S goes ahead; app.py runs whole inside a turn."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from programme_fixture import write_county
from streamlit.testing.v1 import AppTest

from kechuang.ui import gate

ROOT = Path(__file__).resolve().parent.parent


def test_waiting_runs_go_in_the_order_they_came(monkeypatch):
    monkeypatch.setattr(gate, "_slots", threading.Semaphore(1))
    order: list[int] = []
    release = threading.Event()

    def first():
        with gate.turn():
            release.wait(5)

    def later(i: int):
        with gate.turn():
            order.append(i)

    holder = threading.Thread(target=first)
    holder.start()
    time.sleep(0.05)
    waiting = []
    for i in range(5):
        t = threading.Thread(target=later, args=(i,))
        t.start()
        waiting.append(t)
        time.sleep(0.05)  # each is waiting before the next comes
    assert order == []  # the slot is held
    assert gate.runs() == 6  # one running, five waiting their turn
    release.set()
    for t in [holder, *waiting]:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]
    assert gate.runs() == 0


def test_at_most_runs_at_once(monkeypatch):
    monkeypatch.setattr(gate, "_slots", threading.Semaphore(gate.RUNS))
    inside, most = [0], [0]
    lock = threading.Lock()

    def run():
        with gate.turn():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=run) for _ in range(gate.RUNS * 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most[0] == gate.RUNS


def test_a_run_that_waited_too_long_goes_ahead_and_returns_no_slot(monkeypatch):
    slots = threading.Semaphore(1)
    monkeypatch.setattr(gate, "_slots", slots)
    monkeypatch.setattr(gate, "WAIT_S", 0.1)
    assert slots.acquire(timeout=0)  # a stuck run holds the only slot
    started = time.perf_counter()
    with gate.turn() as held:
        assert held is False
    assert time.perf_counter() - started >= 0.1
    assert not slots.acquire(timeout=0)  # nothing was released that it did not hold


class CountingSlots(threading.Semaphore):
    def __init__(self):
        super().__init__(1)
        self.taken = self.given_back = 0
        self.drawn_inside: list[bool] = []

    def acquire(self, *args, **kwargs):
        got = super().acquire(*args, **kwargs)
        self.taken += got
        return got

    def release(self, n: int = 1):
        self.given_back += n
        super().release(n)


def test_the_app_runs_inside_a_turn(monkeypatch, tmp_path):
    import streamlit as st

    monkeypatch.setenv("KECHUANG_DATA", str(write_county(tmp_path / "data")))
    slots = CountingSlots()
    monkeypatch.setattr(gate, "_slots", slots)
    title = st.title

    def watched_title(*args, **kwargs):  # the page draws while the slot is held
        slots.drawn_inside.append(slots.taken == slots.given_back + 1)
        return title(*args, **kwargs)

    monkeypatch.setattr(st, "title", watched_title)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and at.title
    assert (slots.taken, slots.given_back) == (1, 1)
    assert slots.drawn_inside == [True]
