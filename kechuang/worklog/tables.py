"""The work records' tables in the state database (migration 0002_worklog). Append only: nothing is
updated or deleted (the migration installs triggers refusing both); a correction is a new row naming
the row it supersedes.

Stages and owners carry `seq`, the entry's place in its (firm, list) history: a new entry takes the
previous seq + 1 and (uscc, list_id, seq) is unique, so of two writers who saw the same history only
the first commits; the second is told who changed it and when (optimistic concurrency, store.py).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kechuang.state.schema import Serial, UTCDateTime, metadata


def _recorded() -> list[Column]:
    """Who recorded an entry and when (the town is the firm's town at that moment, for scope and
    counts)."""
    return [
        Column("town", String(64)),
        Column("recorded_by", String(64), nullable=False),
        Column("recorded_role", String(16), nullable=False),
        Column("recorded_at", UTCDateTime, nullable=False),
    ]


worklog_contacts = Table(
    "worklog_contacts",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("kind", String(8), nullable=False),  # 走访 / 宣传 / 辅导
    Column("contacted_on", Date, nullable=False),
    Column("service_type", String(32)),
    Column("note", Text),
    Column("next_step", Text),
    Column("due_on", Date),
    Column("list_id", String(32)),  # the list the form was opened from (context only)
    # A correction names the entry it replaces (once: unique) and why.
    Column("supersedes_id", Serial, ForeignKey("worklog_contacts.id"), unique=True),
    Column("reason", Text),
    *_recorded(),
    Index("ix_worklog_contacts_uscc", "uscc"),
    Index("ix_worklog_contacts_town_contacted_on", "town", "contacted_on"),
)

worklog_stages = Table(
    "worklog_stages",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("list_id", String(32), nullable=False),  # candidates / rd_zero
    Column("seq", Integer, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("reason", Text),
    Column("is_correction", Integer, nullable=False, default=0),  # 1: corrects the previous entry
    *_recorded(),
    UniqueConstraint("uscc", "list_id", "seq"),
)

worklog_owners = Table(
    "worklog_owners",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("list_id", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("owner", String(64), nullable=False),  # an account name
    *_recorded(),
    UniqueConstraint("uscc", "list_id", "seq"),
    Index("ix_worklog_owners_owner", "owner"),
)

TABLES = (worklog_contacts, worklog_stages, worklog_owners)
