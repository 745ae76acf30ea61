"""prepare: read every file, recognise its table, map headers, convert and validate rows (nothing
written)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from kechuang.engine import contract
from kechuang.ingest.convert import Converted, convert_all
from kechuang.ingest.errors import IngestError
from kechuang.ingest.headers import map_headers, recognise
from kechuang.ingest.read import RawTable, Source, read_source


def distinct_names(sources: list[Source]) -> list[Source]:
    """Sources renamed where two share a file name (jan/税.csv, feb/税.csv): counts, rejects files
    and manifest lines are kept per source, so two same-named files must not merge."""
    counts: dict[str, int] = {}
    for s in sources:
        counts[s.name] = counts.get(s.name, 0) + 1
    out, taken = [], set()
    for s in sources:
        name = s.name
        if counts[s.name] > 1 and s.path is not None:
            name = f"{s.path.parent.name}/{s.name}" if s.path.parent.name else s.name
        stem, suffix, n = str(Path(name).with_suffix("")), Path(name).suffix, 2
        while name in taken:
            name, n = f"{stem}（{n}）{suffix}", n + 1
        taken.add(name)
        out.append(s if name == s.name else dataclasses.replace(s, name=name))
    return out


def prepare(
    sources: list[Source], table: str | None = None, today: date | None = None
) -> list[Converted]:
    """Every file read and validated, grouped by contract table; IngestError for a file that cannot
    be used."""
    if table is not None and table not in contract.TABLES:
        raise IngestError(f"未知的表名：{table}（可用：{'、'.join(contract.TABLES)}）")
    parts: dict[str, list] = {}
    notes: dict[str, list[str]] = {}
    for source in sources:
        if source.mislabelled:
            notes.setdefault(source.name, []).append(source.mislabelled)
        raws = read_source(source)
        found = []
        for raw in raws:
            use, why = _table_of(raw, table, several_sheets=len(raws) > 1)
            if use is None:
                notes.setdefault(source.name, []).append(f"工作表 {raw.sheet} 未导入：{why}")
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
        conv = convert_all(t, group, today)
        for name in dict.fromkeys(raw.source for raw, _ in group):
            conv.notes.extend(notes.pop(name, []))
        out.append(conv)
    return out


def _table_of(raw: RawTable, table: str | None, several_sheets: bool):
    """((table, raw, mapping), None) for a sheet; (None, why) for a sheet skipped in a workbook."""
    try:
        t = table or recognise(raw.headers, raw.where)
        mapping = map_headers(t, raw.headers)
        if mapping.missing_required:
            need = "、".join(f"{c.label}（{c.name}）" for c in mapping.missing_required)
            raise IngestError(
                f"{raw.where} 缺少必填列：{need}（表 {t} {contract.TABLE_LABELS[t]}）。"
                "请补上这些列后重新导入"
            )
    except IngestError as err:
        if several_sheets:
            return None, str(err)
        raise
    if mapping.duplicated:
        dup = "；".join(f"{'、'.join(hs)} 都对应 {c}" for c, hs in mapping.duplicated.items())
        raise IngestError(f"{raw.where} 有重复的列：{dup}。请删去多余的一列后重新导入")
    return (t, raw, mapping), None
