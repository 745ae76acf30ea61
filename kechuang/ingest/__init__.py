"""Ingest department files safely: recognise, map, convert, validate, then write a new version
atomically.

One path for the CLI (`python -m kechuang ingest`) and the upload page (数据导入):

    prepare(sources)   read every file, recognise its table, map headers, convert and validate rows
    ingest(dir, ...)   prepare, then per table write accepted rows as a new version, swap it in,
                       log it
    rollback(dir, t)   restore the table's previous version

Nothing is half-written: every file is prepared before anything is written, each table is written
to a new version file and swapped in with one atomic rename (see store.py), and the manifest
records it.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from kechuang.engine import contract
from kechuang.ingest import manifest, store
from kechuang.ingest.convert import Converted, convert_all
from kechuang.ingest.headers import map_headers, recognise
from kechuang.ingest.read import IngestError, RawTable, Source, read_source
from kechuang.output import tables

__all__ = [
    "IngestError",
    "Source",
    "Result",
    "prepare",
    "ingest",
    "rollback",
    "MODES",
    "PERIOD_COLUMNS",
]

MODES = ("replace", "append", "replace-periods")
MODE_LABELS = manifest.MODE_LABELS
# replace-periods: the rows of each period present in the file replace that period; other periods
# are kept.
PERIOD_COLUMNS = {
    "tax_monthly": "period",
    "tax_annual": "year",
    "stats_annual": "year",
    "tech_sme_registry": "year",
    "key_enterprises": "year",
    "cultivation": "year",
}


def default_mode(table: str) -> str:
    """A monthly tax extract carries its own months; every other file is the whole table."""
    return "replace-periods" if table == "tax_monthly" else "replace"


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
    rejects: list[tuple[str, pl.DataFrame]] = field(
        default_factory=list
    )  # (file stem, rows as sent + 行号 + 原因)
    flags: pl.DataFrame = field(default_factory=pl.DataFrame)
    written: bool = False
    checked_only: bool = False  # a dry run: nothing was to be written
    repeat: bool = False
    version: str | None = None
    previous: str | None = None
    rows_total: int | None = None
    rejects_paths: dict[str, list[Path]] = field(
        default_factory=dict
    )  # source file name -> rejects files written

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


# -- prepare: read, recognise, map, convert, validate (nothing written) -------------------------


def prepare(sources: list[Source], table: str | None = None) -> list[Converted]:
    """Every file read and validated, grouped by contract table; raises IngestError for a file that
    cannot be used."""
    if table is not None and table not in contract.TABLES:
        raise IngestError(f"未知的表名：{table}（可用：{'、'.join(contract.TABLES)}）")
    parts: dict[str, list] = {}
    skipped: dict[str, list[str]] = {}
    for source in sources:
        raws = read_source(source)
        found = []
        for raw in raws:
            use = _table_of(raw, table, several_sheets=len(raws) > 1)
            if use is None:
                skipped.setdefault(source.name, []).append(raw.sheet or source.name)
            else:
                found.append(use)
        if not found:
            raise IngestError(
                f"{source.name} 中没有可识别的工作表" + (f"（按表 {table} 核对）" if table else "")
            )
        for t, raw, mapping in found:
            parts.setdefault(t, []).append((raw, mapping))
    out = []
    for t, group in parts.items():
        conv = convert_all(t, group)
        for name in {raw.source for raw, _ in group}:
            if name in skipped:
                conv.notes.append(
                    f"{name}：工作表 {'、'.join(skipped[name])} 未识别为任何数据表，已跳过"
                )
        out.append(conv)
    return out


def _table_of(raw: RawTable, table: str | None, several_sheets: bool):
    """(table, raw, mapping) for a sheet, None for a sheet to skip in a workbook of several."""
    try:
        t = table or recognise(raw.headers, raw.where)
    except IngestError:
        if several_sheets:
            return None
        raise
    mapping = map_headers(t, raw.headers)
    if mapping.missing_required:
        if several_sheets:
            return None
        need = "、".join(f"{c.label}（{c.name}）" for c in mapping.missing_required)
        raise IngestError(
            f"{raw.where} 缺少必填列：{need}（表 {t} {contract.TABLE_LABELS[t]}）。请补上这些列后"
            "重新导入"
        )
    if mapping.duplicated:
        dup = "；".join(f"{'、'.join(hs)} 都对应 {c}" for c, hs in mapping.duplicated.items())
        raise IngestError(f"{raw.where} 有重复的列：{dup}。请删去多余的一列后重新导入")
    return t, raw, mapping


# -- ingest: write each table as a new version ---------------------------------------------------


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def ingest(
    data_dir: str | Path,
    sources: list[Source],
    *,
    table: str | None = None,
    mode: str | None = None,
    user: str | None = None,
    dry_run: bool = False,
    rejects_dir: str | Path | None = None,
) -> list[Result]:
    """Prepare every file, then write each table's accepted rows as a new version and log it in the
    manifest."""
    from kechuang.engine.warehouse import Warehouse

    data_dir = Path(data_dir)
    user = user or _os_user()
    if mode is not None and mode not in MODES:
        raise IngestError(f"未知的导入方式：{mode}（可用：{'、'.join(MODES)}）")
    shas = {s.name: s.sha256() for s in sources}
    try:
        groups = prepare(sources, table)
    except IngestError as err:
        if not dry_run and data_dir.is_dir():
            manifest.append(
                data_dir,
                [
                    {
                        "time": _now(),
                        "user": user,
                        "action": "ingest",
                        "table": table,
                        "file": s.name,
                        "sha256": shas[s.name],
                        "error": str(err),
                    }
                    for s in sources
                ],
            )
        raise
    if dry_run and not data_dir.is_dir():
        results = [
            _result(conv, mode or default_mode(conv.table), shas, rejects_dir) for conv in groups
        ]
        for r in results:
            r.checked_only = True
        return results
    data_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with store.locked(data_dir):
        wh = Warehouse(data_dir, strict=False)
        try:
            for conv in groups:
                results.append(_ingest_table(wh, conv, mode, user, dry_run, shas, rejects_dir))
        finally:
            wh.close()
    return results


def _ingest_table(
    wh, conv: Converted, mode: str | None, user: str, dry_run: bool, shas: dict, rejects_dir
) -> Result:
    t, data_dir = conv.table, wh.data_dir
    mode = mode or default_mode(t)
    if mode == "replace-periods" and t not in PERIOD_COLUMNS:
        raise IngestError(
            f"表 {t} 没有所属期或年度列，不能按所属期替换：请用 --mode replace（整表替换）或 "
            "append（追加）"
        )
    info = wh.tables[t]
    if mode != "replace" and info.problem:
        raise IngestError(
            f"现有表 {t} 无法读取（{info.problem}），不能{MODE_LABELS[mode]}：请用 --mode replace "
            "整表替换"
        )
    effective = mode if info.available else "replace"
    if effective != mode:
        conv.notes.append(f"现有数据中没有表 {t}，按整表导入")
    current = store.live(data_dir, t)
    sources = sorted({shas[raw.source] for raw in conv.raws})
    repeat = current.kind == "version" and _same_ingest(
        store.meta(data_dir, t, current.version), sources, mode
    )
    if effective == "append" and not repeat:
        _reject_existing(wh, conv)
    result = _result(conv, mode, shas, rejects_dir)
    result.checked_only = dry_run
    if effective == "replace-periods":
        result.notes.append(_periods_note(conv, t))
    if repeat:
        result.repeat, result.version = True, current.version
        result.notes.append("该文件已导入过，当前数据就是它的导入结果：未重复写入")
    elif result.rows_accepted == 0:
        result.notes.append("没有可导入的行：数据未改动")
    elif not dry_run:
        parent = store.adopt(data_dir, t, current)
        accepted = conv.accepted.to_arrow().cast(_nullable(contract.arrow_schema(t)))
        wh.con.register("_incoming", accepted)
        sql = _merged_sql(t, effective)
        meta = {
            "parent": parent,
            "mode": mode,
            "sources": sources,
            "files": [f.name for f in result.files],
            "user": user,
            "created_at": _now(),
            "origin": "ingest",
            "rows_accepted": result.rows_accepted,
        }
        vid = store.write_version(data_dir, t, lambda path: write_parquet(wh.con, sql, path), meta)
        store.switch(data_dir, t, vid, current, parent)
        wh.con.unregister("_incoming")
        result.written, result.version, result.previous = True, vid, parent
    if result.version:
        result.rows_total = _count(wh, data_dir / store.VERSIONS / t / f"{result.version}.parquet")
    if not dry_run:
        manifest.append(
            data_dir,
            [
                {
                    "time": _now(),
                    "user": user,
                    "action": "ingest",
                    "table": t,
                    "file": f.name,
                    "sha256": f.sha256,
                    "mode": mode,
                    "rows_read": f.rows_read,
                    "rows_accepted": f.rows_accepted,
                    "rows_rejected": f.rows_rejected,
                    "rows_flagged": f.rows_flagged,
                    "written": result.written,
                    "repeat": result.repeat,
                    "version": result.version,
                    "previous": result.previous,
                    "rows_total": result.rows_total,
                    "rejects": [str(p) for p in result.rejects_paths.get(f.name, [])],
                }
                for f in result.files
            ],
        )
    return result


def write_parquet(con, sql: str, path: Path) -> None:
    """Write a query's rows to one Parquet file (the step a crash test interrupts)."""
    target = str(path).replace("'", "''")
    con.execute(f"copy ({sql}) to '{target}' (format parquet, compression zstd)")


def _nullable(schema):
    import pyarrow as pa

    return pa.schema([f.with_nullable(True) for f in schema])


def _merged_sql(t: str, mode: str) -> str:
    cols = ", ".join(f'"{c.name}"' for c in contract.columns(t))
    incoming = f"select {cols} from _incoming"
    if mode == "append":
        return f"select {cols} from _raw_{t} union all {incoming}"
    if mode == "replace-periods":
        p = PERIOD_COLUMNS[t]
        return (
            f"select {cols} from _raw_{t} where {p} is null or {p} not in "
            f"(select distinct {p} from _incoming where {p} is not null) union all {incoming}"
        )
    return incoming


def _count(wh, path: Path) -> int | None:
    if not path.is_file():
        return None
    return wh.con.execute("select count(*) from read_parquet($p)", {"p": str(path)}).fetchall()[0][
        0
    ]


def _same_ingest(meta: dict, sources: list[str], mode: str) -> bool:
    return (
        meta.get("origin") == "ingest"
        and meta.get("sources") == sources
        and meta.get("mode") == mode
    )


def _periods_note(conv: Converted, t: str) -> str:
    p = PERIOD_COLUMNS[t]
    periods = sorted(conv.accepted.get_column(p).drop_nulls().unique().to_list())
    shown = [f"{v.year}年{v.month}月" if p == "period" else f"{v}年" for v in periods]
    if not shown:
        return "按所属期替换：文件中没有可用的所属期，数据未改动"
    listed = "、".join(shown[:12]) + (f" 等{len(shown)}期" if len(shown) > 12 else "")
    return f"按所属期替换：{listed}的数据以本文件为准，其他期保持不变"


def _reject_existing(wh, conv: Converted) -> None:
    """In append mode, rows whose key is already in the warehouse are rejected (append never
    overwrites)."""
    t = conv.table
    keys = list(contract.UNIQUE_KEYS.get(t, ()))
    if not keys:
        return
    candidates = conv.rows.filter(pl.col("_reason").is_null()).select("_idx", *keys)
    if candidates.height == 0:
        return
    wh.con.register("_candidates", candidates.to_arrow())
    match = " and ".join(f'e."{k}" = c."{k}"' for k in keys)
    hits = wh.con.sql(
        f"select c._idx from _candidates c where exists (select 1 from _raw_{t} e where {match})"
    ).pl()
    wh.con.unregister("_candidates")
    if hits.height == 0:
        return
    labels = {c.name: c.label for c in contract.columns(t)}
    key_text = pl.concat_str(
        [pl.format(f"{labels[k]}={{}}", pl.col(k).cast(pl.String)) for k in keys], separator="，"
    )
    why = candidates.join(hits, on="_idx", how="semi").select(
        "_idx",
        pl.format("现有数据中已有（{}）：追加不覆盖已有数据，如需更正请整表替换", key_text).alias(
            "_why"
        ),
    )
    conv.add_reasons(why)


# -- what the user gets back: counts, rejects in the source's own columns, flags ------------------


def _safe(text: str) -> str:
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


def _result(conv: Converted, mode: str, shas: dict, rejects_dir) -> Result:
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
    rejected = conv.rejected
    flagged = conv.flagged
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
        flags=flagged.select(
            where.alias("文件"), pl.col("_row").alias("行号"), pl.col("_flag").alias("提示")
        ),
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for raw in conv.raws:
        frame = rejects_frame(raw, rejected)
        if frame.height == 0:
            continue
        stem = _safe(Path(raw.source).stem + (f"_{raw.sheet}" if raw.sheet else "")) + "_未导入"
        result.rejects.append((stem, frame))
        if rejects_dir is not None:
            out = Path(rejects_dir)
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{stem}_{stamp}.csv"
            path.write_bytes(tables.csv_bytes(frame))
            result.rejects_paths.setdefault(raw.source, []).append(path)
    return result


# -- rollback --------------------------------------------------------------------------------------


def rollback(data_dir: str | Path, table: str, user: str | None = None) -> dict:
    """Restore a table's previous version (or its absence); logged in the manifest."""
    data_dir = Path(data_dir)
    if table not in contract.TABLES:
        raise IngestError(f"未知的表名：{table}（可用：{'、'.join(contract.TABLES)}）")
    if not data_dir.is_dir():
        raise IngestError(f"数据目录不存在：{data_dir}")
    with store.locked(data_dir):
        left, restored = store.rollback(data_dir, table)
        entry = {
            "time": _now(),
            "user": user or _os_user(),
            "action": "rollback",
            "table": table,
            "version": restored,
            "previous": left,
        }
        manifest.append(data_dir, [entry])
    return entry


def rollback_candidates(data_dir: str | Path) -> list[str]:
    """Tables whose live data was written by an ingest, so that a previous version can be
    restored."""
    data_dir = Path(data_dir)
    return [t for t in contract.TABLES if store.live(data_dir, t).kind == "version"]


def summary_frame(results: list[Result]) -> pl.DataFrame:
    """One row per table ingested, in Chinese, for the upload page."""
    rows = [
        {
            "数据表": f"{contract.TABLE_LABELS[r.table]}（{r.table}）",
            "方式": MODE_LABELS[r.mode],
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
