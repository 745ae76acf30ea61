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

from kechuang.ingest.read import IngestError

VERSIONS = "_versions"


@dataclass(frozen=True)
class Live:
    """What the warehouse reads for a table right now."""

    kind: str  # absent | version (a link made by ingest) | file | folder
    version: str | None = None  # the version id when kind == "version"


def versions_dir(data_dir: Path, table: str) -> Path:
    return data_dir / VERSIONS / table


def live(data_dir: Path, table: str) -> Live:
    file, folder = data_dir / f"{table}.parquet", data_dir / table
    if file.is_symlink():
        target = Path(os.readlink(file))
        if (
            target.parent == Path(VERSIONS) / table
            and target.suffix == ".parquet"
            and file.is_file()
        ):
            return Live("version", target.stem)
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


def _new_id(vdir: Path) -> str:
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
def locked(data_dir: Path) -> Iterator[None]:
    """One ingest or rollback at a time per data directory (released if the process dies)."""
    (data_dir / VERSIONS).mkdir(parents=True, exist_ok=True)
    with open(data_dir / VERSIONS / ".lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def adopt(data_dir: Path, table: str, current: Live) -> str | None:
    """The id of the live data as a version (registering a plain file or folder first); None when
    absent."""
    if current.kind == "version":
        return current.version
    if current.kind == "absent":
        return None
    vdir = versions_dir(data_dir, table)
    vdir.mkdir(parents=True, exist_ok=True)
    vid = _new_id(vdir)
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
    vid = _new_id(vdir)
    final, tmp = vdir / f"{vid}.parquet", vdir / f"{vid}.parquet.tmp"
    try:
        write(tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _write_json(vdir / f"{vid}.json", {"id": vid, "table": table, "kind": "file", **info})
    except BaseException:
        for leftover in (tmp, final, vdir / f"{vid}.json"):
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


def rollback(data_dir: Path, table: str) -> tuple[str, str | None]:
    """Restore the parent of the live version; returns (version left, version restored or None =
    table absent)."""
    current = live(data_dir, table)
    if current.kind != "version":
        what = "没有数据" if current.kind == "absent" else "不是由导入生成的版本"
        raise IngestError(f"表 {table} 当前{what}，没有可恢复的上一版本")
    info = meta(data_dir, table, current.version)
    if info.get("origin") == "existing":
        raise IngestError(f"表 {table} 已是首次导入前的原有数据，没有可恢复的上一版本")
    parent = info.get("parent")
    link = data_dir / f"{table}.parquet"
    if parent is None:
        link.unlink()
    else:
        parent_info = meta(data_dir, table, parent)
        if parent_info.get("kind") == "folder":
            kept = versions_dir(data_dir, table) / parent
            if kept.is_dir():
                os.rename(kept, data_dir / table)  # still shadowed by the link
            elif not (data_dir / table).is_dir():
                raise IngestError(f"表 {table} 的上一版本（文件夹 {kept}）已不存在")
            link.unlink()  # now the folder is read
        elif (versions_dir(data_dir, table) / f"{parent}.parquet").is_file():
            _point(data_dir, table, parent)
        else:
            raise IngestError(
                f"表 {table} 的上一版本 {parent} 已不存在（{versions_dir(data_dir, table)}）"
            )
    _fsync_dir(data_dir)
    return current.version, parent
