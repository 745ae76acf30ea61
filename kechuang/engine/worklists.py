"""Worklists that do not belong to one metric's arithmetic: firms someone must go and see."""

from __future__ import annotations

from datetime import date

import polars as pl

from kechuang.engine.warehouse import Warehouse

# A registered 产学研 project still at 备案登记 this many days after registration needs a follow-up.
IUR_OVERDUE_DAYS = 90


def key_enterprises_unvisited(
    wh: Warehouse, as_of: date, key_firms: pl.DataFrame | None = None
) -> pl.DataFrame | None:
    """Key enterprises of the plan year not yet visited in the year (None when the data is absent).

    Columns uscc, name, town, team, focus, last_visited_on (the last visit before the year, if
    any); ordered by town, name, uscc. `key_firms`: the caller's `programme_key_enterprises` rows
    for the same date, when it has them."""
    if not wh.available("key_enterprises", "service_visits"):
        return None
    if key_firms is None:
        key_firms = wh.query("programme_key_enterprises", as_of=as_of)
    return key_firms.filter(pl.col("first_visited_on").is_null()).select(
        "uscc",
        "name",
        "town",
        "team",
        "focus",
        pl.col("last_visited_before_year_on").alias("last_visited_on"),
    )


def iur_follow_up(
    wh: Warehouse, as_of: date, overdue_days: int = IUR_OVERDUE_DAYS
) -> pl.DataFrame | None:
    """产学研: registered projects not yet implemented (stage still 备案登记) more than N days after
    registration.

    Listed when as_of - registered_on > overdue_days: a project registered exactly N days ago is
    not yet overdue, one registered N + 1 days ago is. Most overdue first. None when iur_projects
    is absent.
    """
    if not wh.available("iur_projects"):
        return None
    rows = wh.query("programme_iur_follow_up", as_of=as_of)
    return rows.filter(pl.col("days_since_registered") > overdue_days)
