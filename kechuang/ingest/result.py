"""What an ingest hands back per table: counts per file, rejected and flagged rows, the version
written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kechuang.engine import contract
from kechuang.ingest import manifest, rejects
from kechuang.ingest.convert import Converted


@dataclass
class FileResult:
    name: str
    sha256: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0


@dataclass
class Result:
    """What happened to one table: counts per file, rejected and flagged rows, the version
    written."""

    table: str
    mode: str
    files: list[FileResult]
    notes: list[str] = field(default_factory=list)
    # (file stem, rows as sent + 行号 + 原因)
    rejects: list[tuple[str, pl.DataFrame]] = field(default_factory=list)
    flags: pl.DataFrame = field(default_factory=pl.DataFrame)
    written: bool = False
    checked_only: bool = False  # a dry run: nothing was to be written
    repeat: bool = False
    version: str | None = None
    previous: str | None = None
    rows_total: int | None = None
    # source file name -> rejects files written
    rejects_paths: dict[str, list[Path]] = field(default_factory=dict)
    reject_sources: list[str] = field(default_factory=list)  # the file of each entry of rejects

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_flagged(self) -> int:
        return sum(f.rows_flagged for f in self.files)

    def as_json(self) -> dict:
        return {
            "table": self.table,
            "label": contract.TABLE_LABELS[self.table],
            "mode": self.mode,
            "files": [vars(f) for f in self.files],
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rows_flagged": self.rows_flagged,
            "written": self.written,
            "repeat": self.repeat,
            "version": self.version,
            "previous": self.previous,
            "rows_total": self.rows_total,
            "rejects": [str(p) for ps in self.rejects_paths.values() for p in ps],
            "notes": self.notes,
            "flags": self.flags.to_dicts() if self.flags.height else [],
        }

    def write_rejects(self, out_dir: Path | None, run_id: str) -> None:
        """Each sheet's rejected rows to its own file in out_dir (nothing when out_dir is None)."""
        if out_dir is None:
            return
        for source, (name_stem, frame) in zip(self.reject_sources, self.rejects, strict=True):
            path = rejects.write(Path(out_dir), name_stem, self.table, run_id, frame)
            self.rejects_paths.setdefault(source, []).append(path)

    def unwrite_rejects(self) -> None:
        """Remove the rejects files of an ingest that failed after writing them."""
        for path in (p for ps in self.rejects_paths.values() for p in ps):
            path.unlink(missing_ok=True)
        self.rejects_paths.clear()

    def manifest_lines(self, base: dict) -> list[dict]:
        """One line per file, after `base` (time, user, action, table, txn)."""
        return [
            {
                **base,
                "file": f.name,
                "sha256": f.sha256,
                "mode": self.mode,
                "rows_read": f.rows_read,
                "rows_accepted": f.rows_accepted,
                "rows_rejected": f.rows_rejected,
                "rows_flagged": f.rows_flagged,
                "written": self.written,
                "repeat": self.repeat,
                "version": self.version,
                "previous": self.previous,
                "rows_total": self.rows_total,
                "rejects": [str(p) for p in self.rejects_paths.get(f.name, [])],
            }
            for f in self.files
        ]


def build(conv: Converted, mode: str, shas: dict) -> Result:
    """Counts per file, the flagged rows and each sheet's rejected rows (not yet written
    anywhere)."""
    rows = conv.rows
    files = []
    for name in dict.fromkeys(raw.source for raw in conv.raws):
        mine = rows.filter(pl.col("_file") == name)
        ok = mine.filter(pl.col("_reason").is_null())
        files.append(
            FileResult(
                name,
                shas[name],
                mine.height,
                ok.height,
                mine.height - ok.height,
                ok.filter(pl.col("_flag").is_not_null()).height,
            )
        )
    where = (
        pl.when(pl.col("_sheet").is_null())
        .then(pl.col("_file"))
        .otherwise(pl.format("{}（工作表 {}）", "_file", "_sheet"))
    )
    result = Result(
        conv.table,
        mode,
        files,
        list(conv.notes),
        flags=conv.flagged.select(
            where.alias("文件"), pl.col("_row").alias("行号"), pl.col("_flag").alias("提示")
        ),
    )
    for raw in conv.raws:
        frame = rejects.rejects_frame(raw, conv.rejected)
        if frame.height:
            result.rejects.append((rejects.stem(raw), frame))
            result.reject_sources.append(raw.source)
    return result


def summary_frame(results: list[Result]) -> pl.DataFrame:
    """One row per table ingested, in Chinese, for the upload page."""
    rows = [
        {
            "数据表": f"{contract.TABLE_LABELS[r.table]}（{r.table}）",
            "方式": manifest.MODE_LABELS[r.mode],
            "文件": "、".join(f.name for f in r.files),
            "导入行数": r.rows_accepted,
            "未导入行数": r.rows_rejected,
            "提示行数": r.rows_flagged,
            "导入后总行数": r.rows_total,
            "结果": "重复导入，数据未变"
            if r.repeat
            else ("已写入新版本" if r.written else ("仅检查" if r.checked_only else "未写入")),
        }
        for r in results
    ]
    schema = {
        "数据表": pl.String,
        "方式": pl.String,
        "文件": pl.String,
        "导入行数": pl.Int64,
        "未导入行数": pl.Int64,
        "提示行数": pl.Int64,
        "导入后总行数": pl.Int64,
        "结果": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")
