"""Rejected rows handed back: the source's own rows and headers after 行号 and 未导入原因, one
file each.

A rejects file is named `<file stem>[_<sheet>]_未导入_<table>_<id>.csv`, the id being the version
the ingest wrote (or a fresh one): two files of the same name, or two ingests in one second, never
share a rejects file. It is written whole under a temporary name and then linked in, so it is never
seen empty or half-written, and an existing file is never overwritten.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import polars as pl

from kechuang.ingest.read import RawTable
from kechuang.output import tables


def safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)


def _unique(names: list[str], taken: set[str]) -> list[str]:
    out = []
    for i, name in enumerate(names):
        base = name.strip() or f"第{i + 1}列"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def rejects_frame(raw: RawTable, rejected: pl.DataFrame) -> pl.DataFrame:
    """The rejected rows of one sheet as sent (every column, original headers) after 行号 and
    未导入原因."""
    names = _unique(raw.headers, {"行号", "未导入原因"})
    cells = raw.cells.select(
        pl.col("_row").alias("行号"), *(pl.col(f"c{i}").alias(n) for i, n in enumerate(names))
    )
    mine = rejected.filter((pl.col("_file") == raw.source) & pl.col("_sheet").eq_missing(raw.sheet))
    return mine.select(pl.col("_row").alias("行号"), pl.col("_reason").alias("未导入原因")).join(
        cells, on="行号", how="left", maintain_order="left"
    )


def stem(raw: RawTable) -> str:
    base = str(Path(raw.source).with_suffix(""))  # jan/名录.csv -> jan_名录
    return safe(base + (f"_{raw.sheet}" if raw.sheet else "")) + "_未导入"


def write(out_dir: Path, name_stem: str, table: str, run_id: str, frame: pl.DataFrame) -> Path:
    """The frame as a CSV under a name no other rejects file has; never left empty on failure."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{name_stem}_{table}_{run_id}.{os.getpid()}.tmp"
    try:
        with tmp.open("wb") as f:
            f.write(tables.csv_bytes(frame))
            f.flush()
            os.fsync(f.fileno())
        n = 1
        while True:
            path = out_dir / f"{name_stem}_{table}_{run_id}{'' if n == 1 else f'-{n}'}.csv"
            try:
                os.link(tmp, path)  # fails if the name is taken: nothing is overwritten
                return path
            except FileExistsError:
                n += 1
            except OSError:  # no hard links on this file system
                if path.exists():
                    n += 1
                    continue
                os.replace(tmp, path)
                return path
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
