"""Figures built once per input: a page switch redraws the same charts from the same frames.

Building a Plotly figure validates every property it sets (≈ 10–15 ms a chart here), while sending
a built one costs ≈ 1 ms; the 技术合同 page alone draws five. Under thirty sessions the builders
were the largest part of the server's CPU after the garbage collector (py-spy on bench/load.py,
issue 23), and the same figure was built again on every rerun of every session.

`@figure` keys a builder's result on its arguments' content (a polars frame or series by its
schema and rows' hashes, anything else by repr), keeps the newest `SIZE` and returns the *same*
object to every caller: a returned figure is shared and must not be changed (st.plotly_chart only
reads it; a caller that wants a variant passes an argument)."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

import polars as pl

SIZE = 512  # figures kept (each ≈ 10–60 kB: at most ≈ 30 MB)

_cache: OrderedDict[bytes, object] = OrderedDict()
_lock = threading.Lock()


def _feed(digest, value) -> None:
    if isinstance(value, pl.Series):  # its repr is cut short for long series: key its content
        value = value.to_frame()
    if isinstance(value, pl.DataFrame):
        # Schema, then each row's 64-bit hash in order (Arrow IPC bytes cost ≈ 5 ms a rerun here).
        digest.update(f"F{list(value.schema.items())!r}{value.height};".encode())
        if value.width:
            digest.update(value.hash_rows(seed=7).to_numpy().tobytes())
    elif isinstance(value, (list, tuple)):
        digest.update(b"(" if isinstance(value, tuple) else b"[")
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    else:
        digest.update(f"{type(value).__qualname__}:{value!r};".encode())


def key(name: str, args: tuple, kwargs: dict) -> bytes:
    digest = hashlib.blake2b(name.encode(), digest_size=20)
    _feed(digest, args)
    _feed(digest, sorted(kwargs.items()))
    return digest.digest()


def figure(builder):
    """Decorator: the builder's figure, built once per distinct input (see the module doc)."""
    name = f"{builder.__module__}.{builder.__qualname__}"

    @functools.wraps(builder)
    def cached(*args, **kwargs):
        found_key = key(name, args, kwargs)
        with _lock:
            found = _cache.get(found_key)
            if found is not None:
                _cache.move_to_end(found_key)
                return found
        built = builder(*args, **kwargs)  # outside the lock: two sessions may both build once
        with _lock:
            _cache[found_key] = built
            while len(_cache) > SIZE:
                _cache.popitem(last=False)
        return built

    cached.uncached = builder
    return cached


def clear() -> None:
    with _lock:
        _cache.clear()
