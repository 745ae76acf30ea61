"""A data directory's Parquet files, read against the contract: where each table's files are, the
Parquet reader over them, the check of their columns and types, and the fingerprint that changes
when the data does (data_version)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kechuang.engine import contract

# A present column is accepted when its Parquet type is in the contract type's family; it is
# then cast to the contract type (an integer that does not fit INTEGER fails loudly, it is
# never truncated). Dates must be dates: a TIMESTAMP could carry a time we would drop.
_INTEGERS = {
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
}
_ACCEPTED = {
    "VARCHAR": {"VARCHAR"},
    "DOUBLE": {"DOUBLE", "FLOAT", "REAL", "DECIMAL", *_INTEGERS},
    "INTEGER": _INTEGERS,
    "DATE": {"DATE"},
    "BOOLEAN": {"BOOLEAN"},
}


class DataError(Exception):
    """Bad input data or a bad data directory; the message says what and where."""


@dataclass
class TableInfo:
    name: str
    source: Path | None = None  # the file or folder read; None when absent
    problem: str | None = None  # why the table is unavailable, when it is present but unusable
    files: list[Path] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.source is not None and self.problem is None


def locate(data_dir: Path, table: str) -> tuple[Path | None, list[Path]]:
    file = data_dir / f"{table}.parquet"
    folder = data_dir / table
    if file.is_file():
        # An ingested table is a symlink to an immutable version file (kechuang/ingest/store.py):
        # reading the resolved path keeps an open warehouse on the version it opened, and
        # data_version sees the swap.
        real = file.resolve()
        return real, [real]
    if folder.is_dir():
        return folder, sorted(folder.rglob("*.parquet"))
    return None, []


def _base_type(duck_type: str) -> str:
    return re.sub(r"\(.*\)$", "", duck_type.strip().upper())


def data_version(data_dir: str | Path) -> str:
    """A fingerprint of the data directory's Parquet files (path, size, mtime): changes when data
    does."""
    digest = hashlib.sha256()
    root = Path(data_dir)
    for table in contract.TABLES:
        _source, files = locate(root, table)
        for f in files:
            st = f.stat()
            digest.update(f"{f}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def reader(info: TableInfo) -> str:
    """The `read_parquet(...)` expression over a table's files."""
    hive = any(
        "=" in p.name for f in info.files for p in f.relative_to(info.source).parents if p.name
    )
    paths = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in info.files) + "]"
    return f"read_parquet({paths}, union_by_name = true, hive_partitioning = {str(hive).lower()})"


def checked_columns(db: duckdb.DuckDBPyConnection, info: TableInfo, reader: str) -> dict[str, str]:
    """The base type of each column the files hold; DataError naming the table, the column and the
    file when one is unreadable, or a contract column is missing or of another type family."""
    try:
        found = {
            row[0]: _base_type(row[1])
            for row in db.execute(f"describe select * from {reader}").fetchall()
        }
    except duckdb.Error as err:
        raise DataError(
            f"表 {info.name} 无法读取（{info.source}）：{str(err).splitlines()[0]}"
        ) from None
    for col in contract.columns(info.name):
        if col.name not in found:
            raise DataError(
                f"表 {info.name} 缺少列 {col.name}（{col.label}），应为 {col.type}（{info.source}）"
            )
        if found[col.name] not in _ACCEPTED[col.type]:
            raise DataError(
                f"表 {info.name} 列 {col.name}（{col.label}）类型不符：应为 {col.type}，实为 "
                f"{found[col.name]}（{info.source}）"
            )
    return found
