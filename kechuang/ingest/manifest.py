"""The manifest: one JSON line per file ingested (or rollback), append-only, in
<dir>/_manifest.jsonl.

A change of the live version is written here before it happens: the ingest (or rollback) lines carry
a `txn` and go in first, then the link is switched, then a `done` line confirms it. Until then the
manifest says "switching from `previous` to `version`", which is true at every instant; a crash
in between is settled by kechuang/ingest/recovery.py (a `done` line if the switch happened, an
`abort` line if not), so the manifest and the live link always agree.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

MANIFEST = "_manifest.jsonl"


def append(data_dir: Path, entries: list[dict]) -> None:
    """Add entries and make them durable before returning."""
    if not entries:
        return
    text = "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in entries)
    with open(Path(data_dir) / MANIFEST, "a", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def read(data_dir: str | Path) -> list[dict]:
    """Every entry, oldest first (a line that does not parse, e.g. cut by a crash, is skipped)."""
    path = Path(data_dir) / MANIFEST
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


@dataclass
class Claim:
    """What the manifest says is live for a table: a version, or a switch not yet confirmed."""

    version: str | None  # live version id (None: no ingested version, e.g. the file found first)
    txn: str | None = None  # an announced switch without its done/abort line
    target: str | None = None  # the version that switch makes live
    action: str | None = None  # ingest or rollback


def claims(data_dir: str | Path, entries: list[dict] | None = None) -> dict[str, Claim]:
    """Per table with manifest lines, what they say is live."""
    out: dict[str, Claim] = {}
    for e in read(data_dir) if entries is None else entries:
        table, action = e.get("table"), e.get("action")
        if not table:
            continue
        if action in ("ingest", "rollback") and e.get("txn"):
            out[table] = Claim(e.get("previous"), e["txn"], e.get("version"), action)
        elif action == "done":
            out[table] = Claim(e.get("version"))
        elif action == "abort" and table in out and out[table].txn == e.get("txn"):
            out[table] = Claim(out[table].version)
        elif action == "rollback" or (action == "ingest" and e.get("written")):
            out[table] = Claim(e.get("version"))  # lines written before switches were announced
    return out


def txn_states(entries: list[dict]) -> dict[str, str]:
    """txn -> done | abort | pending."""
    states = {}
    for e in entries:
        if e.get("txn"):
            if e.get("action") in ("done", "abort"):
                states[e["txn"]] = e["action"]
            else:
                states.setdefault(e["txn"], "pending")
    return states


def last_ingests(data_dir: str | Path) -> dict[str, dict]:
    """Per table, its most recent ingest or rollback entry (one that was interrupted does not
    count)."""
    entries = read(data_dir)
    states = txn_states(entries)
    last = {}
    for entry in entries:
        aborted = states.get(entry.get("txn"), "done") == "abort"
        if entry.get("table") and entry.get("action") in ("ingest", "rollback") and not aborted:
            last[entry["table"]] = entry
    return last


HISTORY_LABELS = {
    "time": "时间",
    "user": "经办人",
    "action": "操作",
    "table_label": "数据表",
    "file": "文件",
    "mode": "方式",
    "rows_accepted": "导入行数",
    "rows_rejected": "未导入行数",
    "rows_flagged": "提示行数",
    "rows_total": "导入后总行数",
    "status": "结果",
}
ACTION_LABELS = {"ingest": "导入", "rollback": "回退", "abort": "中断", "cleanup": "清理"}
MODE_LABELS = {"replace": "整表替换", "append": "追加", "replace-periods": "按所属期替换"}


def status_text(entry: dict, state: str = "done") -> str:
    if entry.get("error"):
        return f"失败：{entry['error']}"
    if entry.get("action") == "cleanup":
        return f"已清理中断遗留的文件 {len(entry.get('removed') or [])} 个"
    if state == "abort":
        return "中断，未生效"
    if state == "pending":
        return "进行中"
    if entry.get("action") == "rollback":
        return f"已恢复到版本 {entry.get('version') or '（无数据）'}"
    if entry.get("repeat"):
        return "重复导入，数据未变"
    if not entry.get("written", True):
        return "未写入"
    return "成功"


def _when(text) -> str | None:
    """'2026年11月26日 19:06' from the ISO time of an entry."""
    try:
        t = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def history(data_dir: str | Path, limit: int = 200) -> pl.DataFrame:
    """The latest entries, newest first, with Chinese column names (for the upload and data-quality
    pages)."""
    from kechuang.engine import contract

    entries = read(data_dir)
    states = txn_states(entries)
    rows = []
    for e in reversed([e for e in entries if e.get("action") != "done"][-limit:]):
        rows.append(
            {
                "time": _when(e.get("time")),
                "user": e.get("user"),
                "action": ACTION_LABELS.get(e.get("action"), e.get("action")),
                "table_label": contract.TABLE_LABELS.get(e.get("table"), e.get("table")),
                "file": e.get("file"),
                "mode": MODE_LABELS.get(e.get("mode"), e.get("mode")),
                "rows_accepted": e.get("rows_accepted"),
                "rows_rejected": e.get("rows_rejected"),
                "rows_flagged": e.get("rows_flagged"),
                "rows_total": e.get("rows_total"),
                "status": status_text(e, states.get(e.get("txn"), "done")),
            }
        )
    schema = {k: pl.Int64 if k.startswith("rows_") else pl.String for k in HISTORY_LABELS}
    return pl.DataFrame(rows, schema=schema, orient="row").rename(HISTORY_LABELS)
