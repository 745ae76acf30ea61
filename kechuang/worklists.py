"""Worklists that do not belong to one metric's arithmetic: firms someone must go and see."""

from __future__ import annotations

from datetime import date

import polars as pl

from kechuang.warehouse import Warehouse


def key_enterprises_unvisited(wh: Warehouse, as_of: date) -> pl.DataFrame | None:
    """Key enterprises of the plan year not yet visited in the year (None when the data is absent)."""
    if not wh.available("key_enterprises", "service_visits"):
        return None
    return wh.query("key_enterprises_unvisited", as_of=as_of)
