"""Ingest department files safely: recognise, map, convert, validate, then write a new version
atomically.

One path for the CLI (`python -m kechuang ingest`) and the upload page (数据导入):

    prepare(sources)   read every file, recognise its table, map headers, convert and validate rows
    ingest(dir, ...)   prepare, then per table write accepted rows as a new version, announce it in
                       the manifest, swap it in, confirm it
    rollback(dir, t)   restore the table's previous version (the same announce / swap / confirm)

Nothing is half-written: every file is prepared before anything is written; each table is written
to a new version file, announced in the manifest, then swapped in with one atomic rename (store.py)
and confirmed. A crash or a full disk at any step leaves the previous version live and the manifest
saying so once recovery.py has settled it (run by the next ingest, rollback or `kechuang check`).
A replace that would drop more than half of a table's (or a period's) rows needs `force`.
"""

from __future__ import annotations

import contextlib
import getpass
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from kechuang.engine import contract
from kechuang.ingest import manifest, recovery, store
from kechuang.ingest.convert import Converted
from kechuang.ingest.errors import IngestError, ShrinkRefused, write_problem
from kechuang.ingest.merge import (
    PERIOD_COLUMNS,
    merged_sql,
    nullable,
    periods_note,
    reject_existing,
    shrinkage,
)
from kechuang.ingest.prepare import distinct_names, prepare
from kechuang.ingest.read import Source
from kechuang.ingest.result import FileResult, Result, build, summary_frame

__all__ = [
    "IngestError",
    "ShrinkRefused",
    "Source",
    "Result",
    "FileResult",
    "prepare",
    "ingest",
    "rollback",
    "summary_frame",
    "MODES",
    "PERIOD_COLUMNS",
]

MODES = ("replace", "append", "replace-periods")
MODE_LABELS = manifest.MODE_LABELS


def default_mode(table: str) -> str:
    """A monthly tax extract carries its own months; every other file is the whole table."""
    return "replace-periods" if table == "tax_monthly" else "replace"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _line(user: str, action: str, table: str | None, **more) -> dict:
    return {"time": _now(), "user": user, "action": action, "table": table, **more}


def _run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S%f")


@dataclass
class _Plan:
    """One table's ingest, decided before anything is written."""

    conv: Converted
    mode: str
    effective: str  # replace when the table has no data yet
    current: store.Live
    repeat: bool
    dropped: int = 0
    shrink: str | None = None


# -- ingest: write each table as a new version ---------------------------------------------------


def ingest(
    data_dir: str | Path,
    sources: list[Source],
    *,
    table: str | None = None,
    mode: str | None = None,
    user: str | None = None,
    dry_run: bool = False,
    rejects_dir: str | Path | None = None,
    force: bool = False,
    today: date | None = None,
) -> list[Result]:
    """Prepare every file, then write each table's accepted rows as a new version and log it in the
    manifest.

    `force` lets a replace drop more than half of the rows; `today` is the day after which dates are
    flagged as in the future (default: today)."""
    from kechuang.engine.warehouse import Warehouse

    data_dir = Path(data_dir)
    user = user or _os_user()
    if mode is not None and mode not in MODES:
        raise IngestError(f"未知的导入方式：{mode}（可用：{'、'.join(MODES)}）")
    sources = distinct_names(sources)
    shas = {s.name: s.sha256() for s in sources}
    rejects_dir = Path(rejects_dir) if rejects_dir is not None else None
    logged: set[str] = set()  # files whose outcome is already in the manifest
    try:
        groups = prepare(sources, table, today)
        if dry_run and not data_dir.is_dir():
            results = [build(conv, mode or default_mode(conv.table), shas) for conv in groups]
            for r in results:
                r.checked_only = True
                r.write_rejects(rejects_dir, _run_id())
            return results
        data_dir.mkdir(parents=True, exist_ok=True)
        with store.locked(data_dir):
            settled = [] if dry_run else recovery.settle(data_dir, user)
            wh = Warehouse(data_dir, strict=False)
            try:
                plans = [_plan(wh, conv, mode, shas) for conv in groups]
                _confirm_shrinks(plans, force, dry_run)
                results = [
                    _ingest_table(wh, plan, user, dry_run, shas, rejects_dir, logged)
                    for plan in plans
                ]
            finally:
                wh.close()
        if results and settled:
            results[0].notes[:0] = settled
        return results
    except IngestError as err:
        _record_failure(data_dir, sources, shas, table, user, str(err), logged, dry_run)
        raise
    except (OSError, duckdb.Error) as err:
        message = write_problem(err, getattr(err, "filename", None) or data_dir)
        _record_failure(data_dir, sources, shas, table, user, message, logged, dry_run)
        raise IngestError(message) from None


def _record_failure(data_dir, sources, shas, table, user, error, logged, dry_run) -> None:
    """A failed attempt goes into the manifest too (as far as the disk allows)."""
    if dry_run or not data_dir.is_dir():
        return
    lines = [
        _line(user, "ingest", table, file=s.name, sha256=shas[s.name], error=error)
        for s in sources
        if s.name not in logged
    ]
    with contextlib.suppress(OSError):
        manifest.append(data_dir, lines)


def _plan(wh, conv: Converted, mode: str | None, shas: dict) -> _Plan:
    t = conv.table
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
    current = store.live(wh.data_dir, t)
    sources = sorted({shas[raw.source] for raw in conv.raws})
    repeat = current.kind == "version" and _same_ingest(
        store.meta(wh.data_dir, t, current.version), sources, mode
    )
    if effective == "append" and not repeat:
        reject_existing(wh, conv)
    plan = _Plan(conv, mode, effective, current, repeat)
    if info.available and not repeat and conv.accepted.height:
        plan.dropped, plan.shrink = shrinkage(wh, conv, effective)
    return plan


def _confirm_shrinks(plans: list[_Plan], force: bool, dry_run: bool) -> None:
    """A replace dropping more than half of the rows goes ahead only with force (said either
    way)."""
    shrinking = [p for p in plans if p.shrink]
    if not shrinking:
        return
    if not (force or dry_run):
        raise ShrinkRefused(
            "；".join(p.shrink for p in shrinking), sum(p.dropped for p in shrinking)
        )
    for p in shrinking:
        p.conv.notes.append(
            f"正式导入时需确认：{p.shrink}" if dry_run else f"已确认替换：{p.shrink}"
        )


def _ingest_table(
    wh, plan: _Plan, user: str, dry_run: bool, shas: dict, rejects_dir, logged: set
) -> Result:
    conv, t, data_dir = plan.conv, plan.conv.table, wh.data_dir
    result = build(conv, plan.mode, shas)
    result.checked_only = dry_run
    if plan.effective == "replace-periods":
        result.notes.append(periods_note(conv, t))
    if plan.repeat:
        result.repeat, result.version = True, plan.current.version
        result.notes.append("该文件已导入过，当前数据就是它的导入结果：未重复写入")
    elif result.rows_accepted == 0:
        result.notes.append("没有可导入的行：数据未改动")
    elif not dry_run:
        _write(wh, plan, result, user, rejects_dir, logged)
        return result
    if result.version:
        path = store.versions_dir(data_dir, t) / f"{result.version}.parquet"
        result.rows_total = _count(wh, path)
    result.write_rejects(rejects_dir, _run_id())
    if not dry_run:
        manifest.append(data_dir, result.manifest_lines(_line(user, "ingest", t)))
        logged.update(f.name for f in result.files)
    return result


def _write(wh, plan: _Plan, result: Result, user: str, rejects_dir, logged: set) -> None:
    """New version written, announced in the manifest, switched in, confirmed; undone on failure."""
    conv, t, data_dir = plan.conv, plan.conv.table, wh.data_dir
    vdir = store.versions_dir(data_dir, t)
    parent = store.adopt(data_dir, t, plan.current)
    accepted = conv.accepted.to_arrow().cast(nullable(contract.arrow_schema(t)))
    wh.con.register("_incoming", accepted)
    info = {
        "parent": parent,
        "mode": plan.mode,
        "sources": sorted({f.sha256 for f in result.files}),
        "files": [f.name for f in result.files],
        "user": user,
        "created_at": _now(),
        "origin": "ingest",
        "rows_accepted": result.rows_accepted,
    }
    sql = merged_sql(t, plan.effective)
    try:
        vid = store.write_version(data_dir, t, lambda path: write_parquet(wh.con, sql, path), info)
    except (OSError, duckdb.Error) as err:
        raise IngestError(write_problem(err, vdir)) from None
    finally:
        wh.con.unregister("_incoming")
    result.written, result.version, result.previous = True, vid, parent
    try:
        result.rows_total = _count(wh, vdir / f"{vid}.parquet")
        result.write_rejects(rejects_dir, vid)
        manifest.append(data_dir, result.manifest_lines(_line(user, "ingest", t, txn=vid)))
    except BaseException as err:
        _undo(data_dir, t, vid, result)
        if isinstance(err, OSError | duckdb.Error):
            raise IngestError(
                write_problem(err, getattr(err, "filename", None) or data_dir)
            ) from None
        raise
    try:
        store.switch(data_dir, t, vid, plan.current, parent)
    except BaseException as err:
        if recovery.is_live(data_dir, t, vid):  # interrupted after the rename: put the old one back
            store.restore(data_dir, t, parent)
        message = str(err) if isinstance(err, IngestError) else write_problem(err, data_dir)
        with contextlib.suppress(OSError):
            manifest.append(
                data_dir, [_line(user, "abort", t, txn=vid, version=vid, error=message)]
            )
            logged.update(f.name for f in result.files)  # the abort line says why
        _undo(data_dir, t, vid, result)
        if isinstance(err, Exception):
            raise IngestError(message) from None
        raise
    logged.update(f.name for f in result.files)
    try:
        manifest.append(data_dir, [_line(user, "done", t, txn=vid, version=vid)])
    except OSError as err:
        result.notes.append(
            f"新版本已生效，但确认记录未能写入（{write_problem(err, manifest.MANIFEST)}）："
            "下次导入或检查时自动补记"
        )


def _undo(data_dir: Path, t: str, vid: str, result: Result) -> None:
    store.discard(data_dir, t, vid)
    result.unwrite_rejects()
    result.written, result.version, result.rows_total = False, None, None


def write_parquet(con, sql: str, path: Path) -> None:
    """Write a query's rows to one Parquet file (the step a crash test interrupts)."""
    target = str(path).replace("'", "''")
    con.execute(f"copy ({sql}) to '{target}' (format parquet, compression zstd)")


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


# -- rollback --------------------------------------------------------------------------------------


def rollback(data_dir: str | Path, table: str, user: str | None = None) -> dict:
    """Restore a table's previous version (or its absence; the newest readable one when the live
    version's file is gone); announced, switched and confirmed like an ingest."""
    data_dir = Path(data_dir)
    if table not in contract.TABLES:
        raise IngestError(f"未知的表名：{table}（可用：{'、'.join(contract.TABLES)}）")
    if not data_dir.is_dir():
        raise IngestError(f"数据目录不存在：{data_dir}")
    user = user or _os_user()
    try:
        with store.locked(data_dir):
            notes = recovery.settle(data_dir, user)
            left, restored = store.rollback_target(data_dir, table)
            txn = uuid.uuid4().hex
            entry = _line(user, "rollback", table, version=restored, previous=left, txn=txn)
            manifest.append(data_dir, [entry])
            try:
                store.restore(data_dir, table, restored)
            except BaseException as err:
                if not recovery.is_live(data_dir, table, restored):
                    message = write_problem(err, data_dir)
                    with contextlib.suppress(OSError):
                        manifest.append(
                            data_dir, [_line(user, "abort", table, txn=txn, error=message)]
                        )
                    if isinstance(err, OSError):
                        raise IngestError(message) from None
                    raise
            with contextlib.suppress(OSError):  # recovery confirms it if this line is lost
                manifest.append(data_dir, [_line(user, "done", table, txn=txn, version=restored)])
    except OSError as err:
        raise IngestError(write_problem(err, getattr(err, "filename", None) or data_dir)) from None
    return {**entry, "notes": notes}


def rollback_candidates(data_dir: str | Path) -> list[str]:
    """Tables whose live data was written by an ingest, so that a previous version can be
    restored."""
    data_dir = Path(data_dir)
    return [t for t in contract.TABLES if store.live(data_dir, t).kind in ("version", "broken")]
