"""The one error an ingest raises, and the Chinese line for a failed read or write of a file."""

from __future__ import annotations

import errno
import re

_DISK_FULL = re.compile(r"no space left|errno[ =:]*28\b|disk full|ENOSPC", re.IGNORECASE)


class IngestError(Exception):
    """A file that cannot be ingested at all; the message says what is wrong and how to fix it."""


class ShrinkRefused(IngestError):
    """A replace would drop more than half of a table's (or a period's) rows: needs --force."""

    def __init__(self, what: str, dropped: int):
        super().__init__(
            f"{what}，超过一半：未导入，数据未改动。如确认要替换，请加 --force 重新导入"
        )
        self.what = what  # which table (and period) would lose how many rows
        self.dropped = dropped  # rows that would go, summed over the tables refused


def disk_full(err: BaseException) -> bool:
    return getattr(err, "errno", None) == errno.ENOSPC or bool(_DISK_FULL.search(str(err)))


def write_problem(err: BaseException, where) -> str:
    """'磁盘空间不足：无法写入 <where>…' for a full disk, else the system's reason in one line."""
    if disk_full(err):
        return f"磁盘空间不足：无法写入 {where}。请清理磁盘后重新导入，现有数据未改动"
    reason = getattr(err, "strerror", None) or (str(err).splitlines() or [type(err).__name__])[0]
    return f"无法读写 {where}：{reason}。现有数据未改动"
