"""The state database's tables, as SQLAlchemy Core objects on one MetaData.

Every timestamp is a UTCDateTime: stored as naive UTC (SQLite has no time zones), read back aware.
A later issue's tables join this MetaData (here or in a sibling module imported by
migrations/env.py); each schema change also gets an Alembic revision in migrations/versions/
(see db.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

# Constraint names fixed by convention, so migrations can name what they alter on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """An aware datetime in, an aware UTC datetime out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps in the state database must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


# Big integers on PostgreSQL; INTEGER on SQLite, where only that type autoincrements.
Serial = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("towns", JSON, nullable=False),  # list of town names; [] for county-wide roles
    Column("display_name", String(200), nullable=False, default=""),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
)

# Sign-in throttling: one row per (kind, key), kind "name" (account name as typed, normalised) or
# "addr" (client address). `attempts` counts attempts in the window that have not succeeded,
# counted BEFORE the password is checked, so concurrent guesses cannot overrun the limit.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("kind", String(8), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("window_start", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_login_throttle_updated_at", "updated_at"),
)

# Server-side sessions of local accounts. `id` is public (admin page, logs); the browser holds a
# random token whose SHA-256 is `token_hash` (NULL until the sign-in ticket was redeemed).
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), unique=True),
    Column(
        "user_name",
        String(64),
        ForeignKey("accounts.name", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("started_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("address", String(64), nullable=False, default=""),
    Column("user_agent", String(200), nullable=False, default=""),
)

# Single-use, short-lived tickets that turn a sign-in on the page into the browser's cookie.
session_tickets = Table(
    "session_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),
    Column(
        "session_id",
        String(32),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("expires_at", UTCDateTime, nullable=False),
)

share_links = Table(
    "share_links",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("page", String(32), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("town", String(64)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("revoked_by", String(64)),
)

# Append only: migrations install triggers refusing UPDATE and DELETE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("user_name", String(64), nullable=False),
    Column("role", String(16)),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("scope", JSON),  # sorted list of towns; NULL = whole county
)

# Which legacy files were imported (the JSON files of before the database), so it happens once.
legacy_imports = Table(
    "legacy_imports",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)


def utcnow() -> datetime:
    return datetime.now(UTC)
