"""Alembic environment: runs on the connection db.upgrade() passes (online only, no alembic.ini)."""

from alembic import context

import kechuang.worklog.tables  # noqa: F401  (the work records' tables join schema.metadata)
from kechuang.state import schema

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through kechuang.state.db.upgrade(), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=schema.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite copies the table
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
