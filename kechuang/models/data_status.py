"""数据质量: the per-table overview with each table's last ingest (from the ingest log).

The engine's checks compute coverage and findings from the data; the ingest log belongs to ingest,
which sits above the engine, so the two meet here."""

from __future__ import annotations

from datetime import date

import polars as pl

from kechuang.engine import checks
from kechuang.engine.warehouse import Warehouse


def coverage(wh: Warehouse, today: date | None = None) -> pl.DataFrame:
    """checks.coverage with the last ingest of each table (who, when) from the ingest log."""
    from kechuang.ingest import manifest  # the ingest package is heavy; only this page needs it

    return checks.coverage(wh, today, manifest.last_ingests(wh.data_dir))
