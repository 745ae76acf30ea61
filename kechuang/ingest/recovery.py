"""After a crash or a full disk: settle switches the manifest announced, and remove debris.

Run under the data directory's lock by every ingest, rollback and `kechuang check`:

    recover(dir)   an announced switch without its done line gets one (the link moved) or an abort
                   line (it did not; the new version's files are removed)
    cleanup(dir)   half-written files (*.tmp, link temporaries) and versions that no manifest line,
                   no live link and no live version's ancestry refers to (a killed ingest's new or
                   adopted version) are removed; the removal is logged in the manifest
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import datetime
from pathlib import Path

from kechuang.engine import contract
from kechuang.ingest import manifest, store

_LINK_TMP = re.compile(r"^\.(?P<table>[a-z_]+)\.parquet\.\d+\.link$")


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def is_live(data_dir: Path, table: str, vid: str | None) -> bool:
    """Whether the data the warehouse reads for a table is version vid (None: no ingested
    version)."""
    now = store.live(data_dir, table)
    if now.kind in ("version", "broken"):
        return now.version == vid
    if vid is None:
        return now.kind in ("absent", "file", "folder")
    info = store.meta(data_dir, table, vid)  # an adopted file or folder, restored by rollback
    return info.get("origin") == "existing" and now.kind == info.get("kind")


def agrees(data_dir: Path, table: str) -> bool:
    """The manifest's claim and the live link agree (during an announced switch: either side of
    it)."""
    claim = manifest.claims(data_dir).get(table)
    if claim is None:
        return True  # the manifest says nothing about this table
    sides = [claim.version] + ([claim.target] if claim.txn else [])
    return any(is_live(data_dir, table, v) for v in sides)


def recover(data_dir: Path, user: str) -> list[str]:
    """Settle every announced switch without a done/abort line; one note per table settled."""
    notes = []
    for table, claim in manifest.claims(data_dir).items():
        if not claim.txn:
            continue
        what = "导入" if claim.action == "ingest" else "回退"
        base = {"time": _now(), "user": user, "table": table, "txn": claim.txn}
        if is_live(data_dir, table, claim.target):
            _finish_folder_move(data_dir, table, claim)
            manifest.append(
                data_dir, [{**base, "action": "done", "version": claim.target, "recovered": True}]
            )
            notes.append(
                f"表 {table}：上次{what}在确认前中断，但已生效（版本 {claim.target}），已补记"
            )
            continue
        error = f"{what}在切换版本前中断，未生效：数据仍为上一版本"
        manifest.append(
            data_dir, [{**base, "action": "abort", "version": claim.target, "error": error}]
        )
        if claim.action == "ingest" and claim.target:
            store.discard(data_dir, table, claim.target)
        notes.append(f"表 {table}：上次{what}（版本 {claim.target}）{error.split('：')[0]}，已记录")
    return notes


def _finish_folder_move(data_dir: Path, table: str, claim: manifest.Claim) -> None:
    """An adopted folder is moved into _versions after the switch; a crash may have come first."""
    if claim.action != "ingest" or claim.version is None:
        return
    if store.meta(data_dir, table, claim.version).get("kind") == "folder":
        kept = store.versions_dir(data_dir, table) / claim.version
        if (data_dir / table).is_dir() and not kept.exists():
            with contextlib.suppress(OSError):
                os.rename(data_dir / table, kept)


def _referenced(data_dir: Path, table: str, entries: list[dict]) -> set[str]:
    """Versions to keep: named by a manifest line (not of an aborted switch), live, or their
    ancestors."""
    mine = [e for e in entries if e.get("table") == table]
    ingest_txns = {e["txn"] for e in mine if e.get("action") == "ingest" and e.get("txn")}
    aborted = {e.get("txn") for e in mine if e.get("action") == "abort"} & ingest_txns
    keep = set()
    for e in mine:
        if e.get("action") in ("ingest", "rollback", "done"):
            new = None if e.get("txn") in aborted else e.get("version")
            keep.update(v for v in (new, e.get("previous")) if v)
    now = store.live(data_dir, table)
    if now.version:
        keep.add(now.version)
    for vid in list(keep):  # rollback walks parents: keep each chain whole
        seen = set()
        while vid and vid not in seen:
            seen.add(vid)
            keep.add(vid)
            vid = store.meta(data_dir, table, vid).get("parent")
    return keep


def cleanup(data_dir: Path, user: str) -> list[str]:
    """Remove debris; returns the paths removed (relative to the data directory), logged as one
    line."""
    removed: list[Path] = []
    for path in data_dir.glob(".*.link"):
        if _LINK_TMP.match(path.name):
            removed.append(path)
    entries = manifest.read(data_dir)
    for table in contract.TABLES:
        vdir = store.versions_dir(data_dir, table)
        if not vdir.is_dir():
            continue
        keep = _referenced(data_dir, table, entries)
        for path in sorted(vdir.iterdir()):
            if (
                path.is_dir()
            ):  # an adopted folder: data found before the first ingest, never removed
                continue
            if path.name.endswith(".tmp") or path.name.split(".")[0] not in keep:
                removed.append(path)
    for path in removed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    names = [str(p.relative_to(data_dir)) for p in removed]
    if names:
        manifest.append(
            data_dir, [{"time": _now(), "user": user, "action": "cleanup", "removed": names}]
        )
    return names


def settle(data_dir: Path, user: str) -> list[str]:
    """recover then cleanup (the caller holds the lock); the notes to show the user."""
    notes = recover(data_dir, user)
    names = cleanup(data_dir, user)
    if names:
        shown = "、".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else "")
        notes.append(f"已清理中断或失败留下的文件：{shown}")
    return notes


def tidy(data_dir: Path, user: str) -> list[str]:
    """settle() under the lock, for `kechuang check`: nothing to do (and nothing created) in a data
    directory no ingest has touched; a read-only directory is reported, not an error."""
    from kechuang.ingest.errors import write_problem

    data_dir = Path(data_dir)
    if not (data_dir / store.VERSIONS).is_dir() and not (data_dir / manifest.MANIFEST).is_file():
        return []
    try:
        with store.locked(data_dir, wait=False):
            return settle(data_dir, user)
    except BlockingIOError:  # an ingest is running: it settles the directory itself
        return []
    except OSError as err:
        return [f"未能检查中断遗留的文件（{write_problem(err, data_dir)}）"]
