"""The work records' contacts inside the warehouse, so key_enterprises_served counts them in DuckDB.

One implementation for the pages, the CLI and the briefing: whoever opens a warehouse calls
`attach(wh)` before querying it. The contacts live in the state database (SQLAlchemy); the warehouse
holds a copy in its in-memory DuckDB table `_raw_recorded_contacts`, behind the scoped view
`recorded_contacts` and the view `service_contacts` (queries/service_contacts.sql) that the metric,
the 科小二 page and the default as-of date read. The copy is replaced only when the records changed
(reading.version: the tables are append only, so count and largest id say it), at the cost of one
small query per call; the contacts are few (one row per visit) and read whole.
"""

from __future__ import annotations

import sqlalchemy as sa

from kechuang.engine.warehouse import Warehouse
from kechuang.worklog import reading


def attach(wh: Warehouse, engine: sa.Engine | None = None, stamp: tuple | None = None) -> Warehouse:
    """Bring the warehouse's copy of the recorded contacts up to date (stamp: reading.version, if
    known)."""
    if engine is None:
        from kechuang.state import db

        engine = db.engine()
    stamp = stamp if stamp is not None else reading.version(engine)
    if wh.recorded_stamp != stamp:
        wh.set_recorded_contacts(reading.effective_contacts(engine), stamp)
    return wh
