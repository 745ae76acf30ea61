"""Reading the work records: the entries (history, CLI list), and the current state per (firm,
list).

Entries are dicts, the same for the CLI's JSON, the timeline of 一企一档 and the tests:
    {"entry": "contact"|"stage"|"owner", "id", "uscc", "town", "list", "kind", "stage", "owner",
     "on", "service_type", "note", "next_step", "due_on", "reason", "supersedes", "superseded_by",
     "by", "role", "recorded_at"}
`on` is the contact's date, or the day (Beijing time) a stage or owner was recorded; a stage's
`note` is its reason. Fields that do not apply to an entry's kind are None.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import sqlalchemy as sa

from kechuang.access import audit
from kechuang.state import db
from kechuang.worklog import rules
from kechuang.worklog.tables import worklog_contacts, worklog_owners, worklog_stages

ENTRY_KINDS = ("contact", "stage", "owner")
_TABLES = {"contact": worklog_contacts, "stage": worklog_stages, "owner": worklog_owners}


def fmt_time(at: datetime) -> str:
    """An aware time as Beijing time, '2026年10月31日 14:05'."""
    t = at.astimezone(audit.BEIJING)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def _day(at: datetime) -> date:
    return at.astimezone(audit.BEIJING).date()


def _entry(kind: str, row, superseded_by: dict[int, int]) -> dict:
    m = row._mapping
    base = dict.fromkeys(
        ("list", "kind", "stage", "owner", "service_type", "note", "next_step", "due_on")
        + ("reason", "supersedes", "superseded_by")
    )
    base.update(
        entry=kind,
        id=m["id"],
        uscc=m["uscc"],
        town=m["town"],
        by=m["recorded_by"],
        role=m["recorded_role"],
        recorded_at=m["recorded_at"].astimezone(audit.BEIJING).isoformat(timespec="seconds"),
    )
    if kind == "contact":
        base.update(
            list=m["list_id"],
            kind=m["kind"],
            on=m["contacted_on"],
            service_type=m["service_type"],
            note=m["note"],
            next_step=m["next_step"],
            due_on=m["due_on"],
            reason=m["reason"],
            supersedes=m["supersedes_id"],
            superseded_by=superseded_by.get(m["id"]),
        )
    elif kind == "stage":
        base.update(
            list=m["list_id"],
            stage=m["stage"],
            on=_day(m["recorded_at"]),
            note=m["reason"],
            reason=m["reason"],
            correction=bool(m["is_correction"]),
        )
    else:
        base.update(list=m["list_id"], owner=m["owner"], on=_day(m["recorded_at"]))
    return base


def _superseded(conn: sa.Connection) -> dict[int, int]:
    c = worklog_contacts.c
    rows = conn.execute(sa.select(c.supersedes_id, c.id).where(c.supersedes_id.is_not(None)))
    return {old: new for old, new in rows}


def visible_towns(user) -> frozenset[str] | None:
    """The towns whose entries the user may read (None: all). Accounts only: a share-link visitor
    sees aggregates, never a firm's records."""
    role = getattr(user, "role", None)
    if role in {"admin", "analyst", "leader"}:
        return None
    if role == "town":
        return frozenset(user.towns)
    raise rules.Refused("分享链接访客不能查看企业的工作记录")


def entries(
    engine: sa.Engine,
    user,
    *,
    uscc: str | None = None,
    town: str | None = None,
    since: date | None = None,
    kinds: tuple[str, ...] = ENTRY_KINDS,
) -> list[dict]:
    """The entries the user may read, oldest first (by recorded_at, then id), optionally of one
    firm, one town, or on/after a date (`on`)."""
    towns = visible_towns(user)
    out = []
    with engine.connect() as conn:
        superseded_by = _superseded(conn)
        for kind in kinds:
            table = _TABLES[kind]
            query = sa.select(table)
            if uscc:
                query = query.where(table.c.uscc == uscc)
            if town:
                query = query.where(table.c.town == town)
            if towns is not None:
                query = query.where(table.c.town.in_(sorted(towns)))
            if since is not None and kind == "contact":
                query = query.where(table.c.contacted_on >= since)
            rows = [_entry(kind, r, superseded_by) for r in conn.execute(query)]
            out += [e for e in rows if since is None or e["on"] >= since]
    return sorted(out, key=lambda e: (e["recorded_at"], ENTRY_KINDS.index(e["entry"]), e["id"]))


def _one(engine: sa.Engine, kind: str, entry_id: int) -> dict:
    table = _TABLES[kind]
    with engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == entry_id)).one()
        return _entry(kind, row, _superseded(conn))


# -- frames for the lists, the county view and the metric
# -------------------------------------------

CONTACT_SCHEMA = {
    "entry_id": pl.Int64,
    "uscc": pl.String,
    "town": pl.String,
    "kind": pl.String,
    "contacted_on": pl.Date,
    "service_type": pl.String,
    "next_step": pl.String,
    "due_on": pl.Date,
    "recorded_by": pl.String,
}


def effective_contacts(engine: sa.Engine) -> pl.DataFrame:
    """Every contact that no correction has superseded (a corrected contact counts once, as
    corrected)."""
    c = worklog_contacts.c
    newer = worklog_contacts.alias("newer")
    query = (
        sa.select(
            c.id, c.uscc, c.town, c.kind, c.contacted_on, c.service_type, c.next_step, c.due_on
        )
        .add_columns(c.recorded_by)
        .where(~sa.exists().where(newer.c.supersedes_id == c.id))
        .order_by(c.id)
    )
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    return pl.DataFrame(rows, schema=CONTACT_SCHEMA, orient="row")


def _heads(engine: sa.Engine, table: sa.Table, value: str) -> pl.DataFrame:
    """The latest entry per (firm, list): uscc, list_id, <value>, seq, recorded_by, recorded_on
    (Beijing)."""
    latest = (
        sa.select(table.c.uscc, table.c.list_id, sa.func.max(table.c.seq).label("seq"))
        .group_by(table.c.uscc, table.c.list_id)
        .subquery()
    )
    query = sa.select(
        table.c.uscc,
        table.c.list_id,
        table.c[value],
        table.c.seq,
        table.c.recorded_by,
        table.c.recorded_at,
    ).join(
        latest,
        (latest.c.uscc == table.c.uscc)
        & (latest.c.list_id == table.c.list_id)
        & (latest.c.seq == table.c.seq),
    )
    with engine.connect() as conn:
        rows = [(*r[:5], _day(r[5])) for r in conn.execute(query)]
    schema = {
        "uscc": pl.String,
        "list_id": pl.String,
        value: pl.String,
        "seq": pl.Int64,
        "recorded_by": pl.String,
        "recorded_on": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def current_stages(engine: sa.Engine) -> pl.DataFrame:
    """Each (firm, list)'s current stage: uscc, list_id, stage, seq, recorded_by, recorded_on."""
    return _heads(engine, worklog_stages, "stage")


def current_owners(engine: sa.Engine) -> pl.DataFrame:
    """Each (firm, list)'s current owner (责任人): uscc, list_id, owner, seq, recorded_by,
    recorded_on."""
    return _heads(engine, worklog_owners, "owner")


def open_next_steps(contacts: pl.DataFrame) -> pl.DataFrame:
    """Next steps still open: a contact's next step stays open until a later contact of the same
    firm (a higher entry id dated on or after it) is recorded. Columns of effective_contacts()."""
    later = contacts.select(
        "uscc", pl.col("entry_id").alias("later_id"), pl.col("contacted_on").alias("later_on")
    )
    steps = contacts.filter(pl.col("next_step").is_not_null())
    closed = (
        steps.join(later, on="uscc")
        .filter(
            (pl.col("later_id") > pl.col("entry_id"))
            & (pl.col("later_on") >= pl.col("contacted_on"))
        )
        .select("entry_id")
        .unique()
    )
    return steps.join(closed, on="entry_id", how="anti")


def version(engine: sa.Engine) -> tuple:
    """Changes whenever an entry is added (the tables are append only): a cache key for pages."""
    tables = (worklog_contacts, worklog_stages, worklog_owners)
    one = sa.select(  # one statement: every page rerun asks
        *(
            sa.select(f(t.c.id)).scalar_subquery()
            for t in tables
            for f in (sa.func.count, sa.func.max)
        )
    )
    with db.read(engine) as conn:
        row = conn.execute(one).one()
    return tuple((int(row[2 * i]), int(row[2 * i + 1] or 0)) for i in range(len(tables)))
