"""The work records (跟踪培育台账): contacts, stages and owners of firms on the lists, append only.

Revision ID: 0002_worklog
Revises: 0001_initial
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from kechuang.state.schema import Serial, UTCDateTime

revision = "0002_worklog"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TABLES = ("worklog_contacts", "worklog_stages", "worklog_owners")


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("town", sa.String(64), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_role", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    ]


def _append_only(dialect: str) -> list[str]:
    """Triggers refusing UPDATE and DELETE: a correction is a new row, never an edit."""
    if dialect == "postgresql":
        return [
            """CREATE FUNCTION worklog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'work records are append only'; END $$""",
            *(
                f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {t}
                    FOR EACH STATEMENT EXECUTE FUNCTION worklog_append_only()"""
                for t in TABLES
            ),
        ]
    return [
        f"""CREATE TRIGGER {t}_no_{verb.lower()} BEFORE {verb} ON {t}
            BEGIN SELECT RAISE(ABORT, 'work records are append only'); END"""
        for t in TABLES
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table(
        "worklog_contacts",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("service_type", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("list_id", sa.String(32), nullable=True),
        sa.Column("supersedes_id", Serial, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_worklog_contacts"),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["worklog_contacts.id"],
            name="fk_worklog_contacts_supersedes_id_worklog_contacts",
        ),
        sa.UniqueConstraint("supersedes_id", name="uq_worklog_contacts_supersedes_id"),
    )
    op.create_index("ix_worklog_contacts_uscc", "worklog_contacts", ["uscc"])
    op.create_index(
        "ix_worklog_contacts_town_contacted_on", "worklog_contacts", ["town", "contacted_on"]
    )
    op.create_table(
        "worklog_stages",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("list_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("is_correction", sa.Integer(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_worklog_stages"),
        sa.UniqueConstraint("uscc", "list_id", "seq", name="uq_worklog_stages_uscc_list_id_seq"),
    )
    op.create_table(
        "worklog_owners",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("list_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_worklog_owners"),
        sa.UniqueConstraint("uscc", "list_id", "seq", name="uq_worklog_owners_uscc_list_id_seq"),
    )
    op.create_index("ix_worklog_owners_owner", "worklog_owners", ["owner"])
    for statement in _append_only(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for t in TABLES:
            op.execute(f"DROP TRIGGER {t}_append_only ON {t}")
        op.execute("DROP FUNCTION worklog_append_only()")
    for t in reversed(TABLES):
        op.drop_table(t)  # SQLite drops a table's triggers with it
