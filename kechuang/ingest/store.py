"""Versioned storage: every ingest writes a new immutable version and swaps it in atomically.

Layout of a data directory after ingests:

    <dir>/<table>.parquet            symlink -> _versions/<table>/<id>.parquet (the live version)
    <dir>/_versions/<table>/<id>.parquet   each version, written once (tmp file, fsync,
                                           rename), never changed
    <dir>/_versions/<table>/<id>.json      its metadata: parent version, sources, mode, user, rows

Why symlinks: the swap (`os.replace` of the link) is atomic, and the warehouse resolves the link
when it opens, so a running app keeps reading the version it opened until it opens the next one;
data_version changes with the link's target. A table the ingest finds as a plain file or as a
folder (`<dir>/<table>/`, e.g. hive-partitioned tax_monthly) is adopted as the parent version: a
plain file is hard-linked into _versions before the link replaces it; a folder is shadowed by the
new file link (the warehouse reads `<table>.parquet` first) and then moved into _versions. Rollback
points the link at the parent version, moves an adopted folder back, or removes the link when the
table did not exist before.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kechuang.ingest.errors import IngestError

VERSIONS = "_versions"


@dataclass(frozen=True)
class Live:
    """What the warehouse reads for a table right now."""

    # absent | version (a link made by ingest) | broken (its file is gone) | file | folder
    kind: str
    version: str | None = None  # the version id when kind == "version"


def versions_dir(data_dir: Path, table: str) -> Path:
    return data_dir / VERSIONS / table


def live(data_dir: Path, table: str) -> Live:
    file, folder = data_dir / f"{table}.parquet", data_dir / table
    if file.is_symlink():
        target = Path(os.readlink(file))
        if target.parent == Path(VERSIONS) / table and target.suffix == ".parquet":
            return Live("version" if file.is_file() else "broken", target.stem)
    if file.is_file():
        return Live("file")
    if folder.is_dir():
        return Live("folder")
    return Live("absent")


def meta(data_dir: Path, table: str, version: str) -> dict:
    path = versions_dir(data_dir, table) / f"{version}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"id": version, "parent": None}


def versions(data_dir: Path, table: str) -> list[dict]:
    """Every stored version of a table, oldest first (ids sort by time)."""
    vdir = versions_dir(data_dir, table)
    if not vdir.is_dir():
        return []
    return [meta(data_dir, table, p.stem) for p in sorted(vdir.glob("*.json"))]


def new_id(vdir: Path) -> str:
    base = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    candidate, n = base, 1
    while (
        (vdir / f"{candidate}.json").exists()
        or (vdir / f"{candidate}.parquet").exists()
        or (vdir / candidate).exists()
    ):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def locked(data_dir: Path, wait: bool = True) -> Iterator[None]:
    """One ingest or rollback at a time per data directory (released if the process dies);
    BlockingIOError when `wait` is off and another process holds it."""
    (data_dir / VERSIONS).mkdir(parents=True, exist_ok=True)
    with open(data_dir / VERSIONS / ".lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def adopt(data_dir: Path, table: str, current: Live) -> str | None:
    """The id of the live data as a version (registering a plain file or folder first); None when
    absent."""
    if current.kind in ("version", "broken"):  # a lost file stays in the lineage; rollback skips it
        return current.version
    if current.kind == "absent":
        return None
    vdir = versions_dir(data_dir, table)
    vdir.mkdir(parents=True, exist_ok=True)
    vid = new_id(vdir)
    info = {
        "id": vid,
        "parent": None,
        "table": table,
        "origin": "existing",
        "kind": current.kind,
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    if current.kind == "file":
        live_file, kept = data_dir / f"{table}.parquet", vdir / f"{vid}.parquet"
        try:
            os.link(
                live_file.resolve(), kept
            )  # same inode: the live name is replaced, never rewritten
        except OSError:
            tmp = kept.with_name(kept.name + ".tmp")
            shutil.copyfile(live_file, tmp)
            os.replace(tmp, kept)
    _write_json(vdir / f"{vid}.json", info)  # a folder is moved in after the switch (see switch)
    return vid


def write_version(data_dir: Path, table: str, write: Callable[[Path], None], info: dict) -> str:
    """A new version file written through `write(tmp_path)`; nothing is left behind if it fails."""
    vdir = versions_dir(data_dir, table)
    vdir.mkdir(parents=True, exist_ok=True)
    vid = new_id(vdir)
    final, tmp = vdir / f"{vid}.parquet", vdir / f"{vid}.parquet.tmp"
    try:
        write(tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _write_json(vdir / f"{vid}.json", {"id": vid, "table": table, "kind": "file", **info})
    except BaseException:
        for leftover in (tmp, final, vdir / f"{vid}.json", vdir / f"{vid}.json.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    _fsync_dir(vdir)
    return vid


def _point(data_dir: Path, table: str, vid: str) -> None:
    """Make <table>.parquet a link to version vid, atomically (a new link renamed over the old
    name)."""
    link = data_dir / f"{table}.parquet"
    tmp = data_dir / f".{table}.parquet.{os.getpid()}.link"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.symlink(f"{VERSIONS}/{table}/{vid}.parquet", tmp)
    except (OSError, NotImplementedError) as err:
        raise IngestError(
            f"无法在 {data_dir} 中创建符号链接（{err}）：版本切换需要支持符号链接的文件系统"
        ) from None
    os.replace(tmp, link)
    _fsync_dir(data_dir)


def switch(data_dir: Path, table: str, vid: str, previous: Live, parent: str | None) -> None:
    """Make version vid live; an adopted folder is moved into _versions once the link shadows it."""
    _point(data_dir, table, vid)
    if previous.kind == "folder" and parent is not None:
        with contextlib.suppress(OSError):
            os.rename(data_dir / table, versions_dir(data_dir, table) / parent)


def discard(data_dir: Path, table: str, vid: str) -> None:
    """Remove a version that never went live (its file, metadata and any half-written parts)."""
    vdir = versions_dir(data_dir, table)
    for name in (f"{vid}.parquet", f"{vid}.parquet.tmp", f"{vid}.json", f"{vid}.json.tmp"):
        with contextlib.suppress(FileNotFoundError):
            (vdir / name).unlink()


def readable(data_dir: Path, table: str, vid: str) -> bool:
    """Whether a stored version can be read back (its Parquet footer parses, or its folder has
    files)."""
    import pyarrow.parquet as pq

    if meta(data_dir, table, vid).get("kind") == "folder":
        folder = versions_dir(data_dir, table) / vid
        folder = folder if folder.is_dir() else data_dir / table
        return folder.is_dir() and any(folder.rglob("*.parquet"))
    try:
        pq.read_metadata(versions_dir(data_dir, table) / f"{vid}.parquet")
    except Exception:  # missing, cut short, not Parquet: pyarrow raises several kinds
        return False
    return True


def rollback_target(data_dir: Path, table: str) -> tuple[str, str | None]:
    """(version to leave, version to restore or None = the table did not exist); refused with a
    reason."""
    current = live(data_dir, table)
    if current.kind == "broken":
        return current.version, _newest_readable(data_dir, table, current.version)
    if current.kind != "version":
        what = "没有数据" if current.kind == "absent" else "不是由导入生成的版本"
        raise IngestError(f"表 {table} 当前{what}，没有可恢复的上一版本")
    path = versions_dir(data_dir, table) / f"{current.version}.json"
    if not path.is_file():
        raise IngestError(
            f"表 {table} 的当前版本缺少版本信息文件 {path}，无法确定上一版本：未回退，数据未改动"
        )
    info = meta(data_dir, table, current.version)
    if info.get("origin") == "existing":
        raise IngestError(f"表 {table} 已是首次导入前的原有数据，没有可恢复的上一版本")
    parent = info.get("parent")
    if parent is not None and not readable(data_dir, table, parent):
        return current.version, _newest_readable(data_dir, table, current.version)
    return current.version, parent


def _newest_readable(data_dir: Path, table: str, lost: str) -> str:
    """For a live link whose file is gone: its ancestors first, then any older version, newest
    first."""
    chain, seen, vid = [], set(), meta(data_dir, table, lost).get("parent")
    while vid and vid not in seen:
        seen.add(vid)
        chain.append(vid)
        vid = meta(data_dir, table, vid).get("parent")
    vdir = versions_dir(data_dir, table)
    stored = {p.name.split(".")[0] for p in vdir.iterdir()} if vdir.is_dir() else set()
    older = sorted((v for v in stored if v < lost and v not in seen), reverse=True)
    for vid in chain + older:
        if readable(data_dir, table, vid):
            return vid
    raise IngestError(
        f"表 {table} 的当前版本文件已丢失（{vdir / (lost + '.parquet')}），"
        "也没有可读的旧版本：无法回退"
    )


def restore(data_dir: Path, table: str, vid: str | None) -> None:
    """Make version vid live again (None: remove the link, the table did not exist before)."""
    link = data_dir / f"{table}.parquet"
    if vid is None:
        link.unlink()
    elif meta(data_dir, table, vid).get("kind") == "folder":
        kept = versions_dir(data_dir, table) / vid
        if kept.is_dir():
            os.rename(kept, data_dir / table)  # still shadowed by the link
        link.unlink()  # now the folder is read
    else:
        _point(data_dir, table, vid)
    _fsync_dir(data_dir)
