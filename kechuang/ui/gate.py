"""At most RUNS script runs at a time in this process, the others waiting their turn in order.

Every session's script runs in its own thread, and the threads share one interpreter: thirty pages
asked for at once (a meeting's phones) each got a slice of it in turn, so all thirty finished
together, at the end — and, tapping again after the same pause, stayed in step, every tap of every
phone waiting for the whole crowd (bench/load.py, issue 23). Served in turn, the first pages are
done first and the next taps arrive spread out. A few run at once (not one) so that a long run — a
Word/PDF briefing, an import — does not hold everyone up, and a run that has waited WAIT_S goes
ahead regardless (nothing waits forever on a stuck run)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

RUNS = 3
WAIT_S = 30.0

_slots = threading.Semaphore(RUNS)  # its waiters are woken in the order they came (Condition)
_count_lock = threading.Lock()
_in_flight = 0  # runs waiting for a slot or holding one


def runs() -> int:
    """Script runs in this process now, waiting or running (kechuang/ui/ahead.py waits for none)."""
    return _in_flight


def _count(step: int) -> None:
    global _in_flight
    with _count_lock:
        _in_flight += step


@contextmanager
def turn() -> Iterator[bool]:
    """Hold one of the slots for the block (after waiting at most WAIT_S); yields whether it did."""
    slots = _slots
    _count(+1)
    held = slots.acquire(timeout=WAIT_S)
    try:
        yield held
    finally:
        if held:
            slots.release()
        _count(-1)
