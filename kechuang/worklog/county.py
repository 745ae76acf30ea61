"""Who acted: 我的待办, the county view per town and list, the towns whose lists went untouched,
and the briefing's month of contacts by town and stage funnel. Pure functions over a Records
snapshot and the list members (lists.members), so the page, the CLI, the overview and the briefing
count alike.

Definitions (README, 跟踪培育台账):
- "in the last 30 days" = dated within the 30 days ending today (today - 29 .. today);
- a next step is open until a later contact of the same firm is recorded, overdue once its due date
  has passed (due_on < today);
- a list is untouched in a town when none of its firms there got a contact, a stage or an owner in
  the last 30 days;
- a firm on a staged list without a recorded stage is at the list's first stage (待对接 / 未对接).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
import sqlalchemy as sa

from kechuang.worklog import reading, rules

WINDOW_DAYS = 30
KIND_COLUMNS = {"走访": "n_visits", "宣传": "n_publicity", "辅导": "n_coaching"}


@dataclass(frozen=True)
class Records:
    """What the work records hold now: effective contacts, current stages and owners."""

    contacts: pl.DataFrame
    stages: pl.DataFrame
    owners: pl.DataFrame


def snapshot(engine: sa.Engine | None = None) -> Records:
    if engine is None:
        from kechuang.state import db

        engine = db.engine()
    return Records(
        reading.effective_contacts(engine),
        reading.current_stages(engine),
        reading.current_owners(engine),
    )


def _since(today: date) -> date:
    return today - timedelta(days=WINDOW_DAYS - 1)


def _firm_steps(records: Records, today: date) -> pl.DataFrame:
    """Per firm: its open next step due first (next_step, due_on, is_overdue) and its last
    contact."""
    steps = (
        reading.open_next_steps(records.contacts)
        .sort("due_on", "entry_id")
        .group_by("uscc", maintain_order=True)
        .first()
        .select("uscc", "next_step", "due_on", (pl.col("due_on") < today).alias("is_overdue"))
    )
    last = records.contacts.group_by("uscc").agg(pl.col("contacted_on").max().alias("last_on"))
    return steps.join(last, on="uscc", how="full", coalesce=True)


def todo(user, members: pl.DataFrame, records: Records, today: date) -> pl.DataFrame:
    """我的待办: the firms the user owns on any list or has an open next step for (recorded by
    them), and (town officers) every listed firm of their towns.

    One row per firm: uscc, name, town, lists, owners, stages, next_step, due_on, is_overdue,
    last_on; overdue next steps first (earliest due first), then open next steps by due date, then
    firms never contacted, then the rest; each group by town and name."""
    steps = reading.open_next_steps(records.contacts).filter(pl.col("recorded_by") == user.name)
    owned = pl.concat(
        [records.owners.filter(pl.col("owner") == user.name).select("uscc"), steps.select("uscc")]
    ).unique()
    mine = members.join(owned, on="uscc", how="semi")
    if user.role == "town":
        mine = pl.concat([mine, members.filter(pl.col("town").is_in(sorted(user.towns)))])
    names = members.unique("uscc", keep="first").select("uscc", "name", "town")
    # Firms owned or followed but no longer on a list: named by their code, in their contacts' town.
    towns = records.contacts.select("uscc", "town").unique("uscc", keep="last")
    extra = owned.join(names, on="uscc", how="anti").join(towns, on="uscc", how="left")
    firms = pl.concat(
        [
            mine.select("uscc", "name", "town").unique("uscc", keep="first"),
            extra.select("uscc", pl.col("uscc").alias("name"), "town"),
        ]
    )
    listed = (
        members.join(firms.select("uscc"), on="uscc", how="semi")
        .with_columns(pl.col("list_id").replace_strict(rules.LISTS).alias("label"))
        .group_by("uscc")
        .agg(pl.col("label").sort().str.join("、").alias("lists"))
    )
    owners = (
        records.owners.join(firms.select("uscc"), on="uscc", how="semi")
        .group_by("uscc")
        .agg(pl.col("owner").unique().sort().str.join("、").alias("owners"))
    )
    stages = (
        records.stages.join(firms.select("uscc"), on="uscc", how="semi")
        .with_columns(
            (pl.col("list_id").replace_strict(rules.LISTS) + "：" + pl.col("stage")).alias("text")
        )
        .group_by("uscc")
        .agg(pl.col("text").sort().str.join("；").alias("stages"))
    )
    out = (
        firms.unique("uscc", keep="first")
        .join(listed, on="uscc", how="left")
        .join(owners, on="uscc", how="left")
        .join(stages, on="uscc", how="left")
        .join(_firm_steps(records, today), on="uscc", how="left")
        .with_columns(
            pl.when(pl.col("is_overdue"))
            .then(0)
            .when(pl.col("due_on").is_not_null())
            .then(1)
            .when(pl.col("last_on").is_null())
            .then(2)
            .otherwise(3)
            .alias("_group")
        )
    )
    return out.sort("_group", "due_on", "town", "name", "uscc", nulls_last=True).drop("_group")


def _touched(records: Records, today: date) -> pl.DataFrame:
    """(uscc, list_id or None) with an entry in the window; a contact (list None) touches every
    list."""
    since = _since(today)
    contacts = records.contacts.filter(pl.col("contacted_on").is_between(since, today)).select(
        "uscc", pl.lit(None, pl.String).alias("list_id")
    )
    heads = [
        t.filter(pl.col("recorded_on").is_between(since, today)).select("uscc", "list_id")
        for t in (records.stages, records.owners)
    ]
    return pl.concat([contacts, *heads]).unique()


def county_view(members: pl.DataFrame, records: Records, today: date) -> pl.DataFrame:
    """Per town and list: n_firms on it, n_contacted (last 30 days), n_overdue next steps, n_touched
    (any entry in 30 days), and one count per stage of each staged list, named <list_id>_<stage
    index> (stage_text reads them)."""
    since = _since(today)
    contacted = (
        records.contacts.filter(pl.col("contacted_on").is_between(since, today))
        .select("uscc")
        .unique()
        .with_columns(pl.lit(True).alias("is_contacted"))
    )
    steps = _firm_steps(records, today).select("uscc", "is_overdue")
    touched = _touched(records, today)
    touched_any = touched.filter(pl.col("list_id").is_null()).select("uscc")
    touched_list = touched.filter(pl.col("list_id").is_not_null())
    stage_of = records.stages.select("uscc", "list_id", "stage")
    rows = (
        members.join(contacted, on="uscc", how="left")
        .join(steps, on="uscc", how="left")
        .join(stage_of, on=["uscc", "list_id"], how="left")
        .with_columns(
            pl.col("is_contacted").fill_null(False),
            pl.col("is_overdue").fill_null(False),
            (
                pl.col("uscc").is_in(touched_any["uscc"].implode())
                | pl.struct("uscc", "list_id").is_in(touched_list.to_struct().implode())
            ).alias("is_touched"),
            pl.col("stage").fill_null(
                pl.col("list_id").replace_strict(
                    {k: v[0] for k, v in rules.STAGES.items()}, default=None
                )
            ),
        )
    )
    stage_counts = [
        (pl.col("stage") == stage).sum().alias(f"{list_id}_{i}")
        for list_id, stages in rules.STAGES.items()
        for i, stage in enumerate(stages)
    ]
    return (
        rows.group_by("town", "list_id")
        .agg(
            pl.len().alias("n_firms"),
            pl.col("is_contacted").sum().alias("n_contacted"),
            pl.col("is_overdue").sum().alias("n_overdue"),
            pl.col("is_touched").sum().alias("n_touched"),
            *stage_counts,
        )
        .with_columns(pl.col("list_id").replace_strict(rules.LISTS).alias("list"))
        .sort("town", pl.col("list_id").replace_strict({k: i for i, k in enumerate(rules.LISTS)}))
    )


def stage_text(row: dict) -> str:
    """'待对接 3 · 已走访 1' for a county_view row of a staged list ('' for the others)."""
    list_id = row["list_id"]
    counts = [(s, row[f"{list_id}_{i}"]) for i, s in enumerate(rules.STAGES.get(list_id, ()))]
    return " · ".join(f"{s} {n}" for s, n in counts if n)


@dataclass(frozen=True)
class Headline:
    """跟踪台账's three figures, in firms: a firm on two lists counts once (county_view's rows are
    per list, so their sums would count it twice)."""

    n_firms: int  # firms on any list
    n_contacted: int  # of them, contacted in the last 30 days
    n_overdue: int  # of them, with an overdue next step


def headline(members: pl.DataFrame, records: Records, today: date) -> Headline:
    firms = members["uscc"].unique().implode()
    since = _since(today)
    contacted = records.contacts.filter(
        pl.col("contacted_on").is_between(since, today) & pl.col("uscc").is_in(firms)
    )
    overdue = _firm_steps(records, today).filter(
        pl.col("is_overdue").fill_null(False) & pl.col("uscc").is_in(firms)
    )
    return Headline(members["uscc"].n_unique(), contacted["uscc"].n_unique(), overdue.height)


def untouched(members: pl.DataFrame, records: Records, today: date) -> pl.DataFrame:
    """Towns whose lists nobody worked in the last 30 days (no firm of any of its lists got an
    entry): town, lists (labels joined), n_firms. A town with one list worked is not named;
    跟踪台账 shows each list."""
    view = county_view(members, records, today).filter(pl.col("n_firms") > 0)
    return (
        view.group_by("town", maintain_order=True)
        .agg(
            pl.col("list").str.join("、").alias("lists"),
            pl.col("n_firms").sum(),
            pl.col("n_touched").sum().alias("_touched"),
        )
        .filter(pl.col("_touched") == 0)
        .drop("_touched")
    )


def month_contacts(month: date, records: Records, towns=None) -> pl.DataFrame:
    """The effective contacts dated in the month of `month` (any day of it), of `towns` if given."""
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows = records.contacts.filter(pl.col("contacted_on").is_between(start, end))
    return rows if towns is None else rows.filter(pl.col("town").is_in(sorted(towns)))


def contacts_by_town(
    month: date, *, records: Records | None = None, towns=None, engine: sa.Engine | None = None
) -> pl.DataFrame:
    """The month's recorded contacts (corrections applied) per town: town, n_visits (走访),
    n_publicity (宣传), n_coaching (辅导), n_contacts, n_firms; `month` is any day of it; towns
    limits the towns."""
    rows = month_contacts(month, records or snapshot(engine), towns)
    return (
        rows.group_by("town")
        .agg(
            *((pl.col("kind") == k).sum().alias(c) for k, c in KIND_COLUMNS.items()),
            pl.len().alias("n_contacts"),
            pl.col("uscc").n_unique().alias("n_firms"),
        )
        .sort("n_contacts", "town", descending=[True, False])
    )


def stage_funnel(
    members: pl.DataFrame | None = None,
    *,
    records: Records | None = None,
    towns=None,
    engine: sa.Engine | None = None,
) -> pl.DataFrame:
    """Firms per stage of each staged list, in stage order: list_id, list, stage, n_firms. With
    `members` (lists.members) the firms on the list count, unrecorded ones at the first stage;
    without, only the recorded ones."""
    records = records or snapshot(engine)
    current = records.stages.select("uscc", "list_id", "stage")
    if members is not None:
        firms = members.filter(pl.col("list_id").is_in(list(rules.STAGES)))
        if towns is not None:
            firms = firms.filter(pl.col("town").is_in(sorted(towns)))
        current = firms.join(current, on=["uscc", "list_id"], how="left").with_columns(
            pl.col("stage").fill_null(
                pl.col("list_id").replace_strict({k: v[0] for k, v in rules.STAGES.items()})
            )
        )
    counts = {
        (r["list_id"], r["stage"]): r["len"]
        for r in current.group_by("list_id", "stage").len().to_dicts()
    }
    return pl.DataFrame(
        [
            {"list_id": k, "list": rules.LISTS[k], "stage": s, "n_firms": counts.get((k, s), 0)}
            for k, stages in rules.STAGES.items()
            for s in stages
        ],
        schema={"list_id": pl.String, "list": pl.String, "stage": pl.String, "n_firms": pl.Int64},
    )
