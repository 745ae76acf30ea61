"""Header mapping: which contract table a file holds and which of its columns is which contract
column.

A header is matched after normalisation (NFKC, so full-width brackets and letters become ASCII; all
white space removed; lower case; a leading * marking a required column dropped). It may be the
contract's Chinese label, the canonical column name, or a money label in another unit: a header in
元 (合同成交额（元）) is divided by 10,000, one in 亿元 multiplied by 10,000, one without a unit is
read as 万元.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kechuang.engine import contract
from kechuang.ingest.errors import IngestError

UNIT_FACTORS = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}  # to 万元
_MONEY = re.compile(r"^(?P<base>.+?)\((?:单位[:：]?)?(?P<unit>元|万元|亿元)\)$")


def norm(text) -> str:
    """A header reduced to what identifies it."""
    text = unicodedata.normalize("NFKC", "" if text is None else str(text))
    text = re.sub(r"[\s\u200b\ufeff]+", "", text).lower()
    return text.lstrip("*※")


@dataclass(frozen=True)
class Match:
    column: str
    factor: float = 1.0  # multiply by this to get the contract's unit (万元)
    note: str | None = None  # said to the user, e.g. a unit that was assumed


def _variants(table: str) -> dict[str, Match]:
    out: dict[str, Match] = {}
    for col in contract.columns(table):
        out[norm(col.name)] = Match(col.name)
        label = norm(col.label)
        out[label] = Match(col.name)
        money = _MONEY.match(label)
        if money and money["unit"] == "万元":
            base = money["base"]
            for unit, factor in UNIT_FACTORS.items():
                out.setdefault(f"{base}({unit})", Match(col.name, factor))
                out.setdefault(f"{base}(单位:{unit})", Match(col.name, factor))
            out.setdefault(
                base, Match(col.name, 1.0, f"列“{col.label.split('（')[0]}”未注明单位，按万元读入")
            )
    return out


VARIANTS: dict[str, dict[str, Match]] = {t: _variants(t) for t in contract.TABLES}
_KNOWN = frozenset(h for v in VARIANTS.values() for h in v)


def known_count(cells: list) -> int:
    """How many cells of a row are headers of some contract table (to find the header row)."""
    return sum(1 for c in cells if c is not None and norm(c) in _KNOWN)


@dataclass
class Mapping:
    """Source column index -> contract column (with unit factor), for one table."""

    table: str
    columns: dict[str, tuple[int, Match]] = field(
        default_factory=dict
    )  # contract column -> (index, match)
    ignored: list[str] = field(default_factory=list)  # source headers that map to nothing
    duplicated: dict[str, list[str]] = field(
        default_factory=dict
    )  # contract column -> source headers

    @property
    def missing_required(self) -> list[contract.Column]:
        return [
            c for c in contract.columns(self.table) if c.required and c.name not in self.columns
        ]

    @property
    def missing_optional(self) -> list[contract.Column]:
        return [
            c for c in contract.columns(self.table) if not c.required and c.name not in self.columns
        ]


def map_headers(table: str, heads: list[str]) -> Mapping:
    variants = VARIANTS[table]
    mapping = Mapping(table)
    seen: dict[str, list[str]] = {}
    for i, head in enumerate(heads):
        match = variants.get(norm(head))
        if match is None:
            if str(head).strip():
                mapping.ignored.append(str(head).strip())
            continue
        seen.setdefault(match.column, []).append(str(head).strip())
        mapping.columns.setdefault(match.column, (i, match))
    mapping.duplicated = {c: hs for c, hs in seen.items() if len(hs) > 1}
    return mapping


def _need(mapping: Mapping) -> str:
    return "、".join(f"{c.label}（{c.name}）" for c in mapping.missing_required)


def _named(table: str) -> str:
    return f"{contract.TABLE_LABELS[table]}（{table}）"


def recognise(heads: list[str], where: str) -> str:
    """The contract table the headers fit best, scored over every header (not the first table whose
    required columns are present): refused when no header fits, when two tables fit equally well,
    or when the best fit lacks a required column (named, so the user can add it)."""
    fits = sorted(
        (
            (len(m.columns), len(m.columns) / len(contract.columns(t)), t, m)
            for t in contract.TABLES
            for m in [map_headers(t, heads)]
        ),
        key=lambda f: (f[0], f[1]),
        reverse=True,
    )
    best = fits[0]
    if best[0] == 0:
        shown = "、".join(h.strip() for h in map(str, heads) if h.strip())[:200]
        raise IngestError(
            f"无法识别 {where} 是哪张表：表头（{shown}）与数据规范中任何一张表都不符。"
            "请核对表头，或用 --table 指定表名"
        )
    close = [f for f in fits if f[0] == best[0]]
    if len(close) > 1:
        names = "、".join(
            f"{contract.TABLE_LABELS[t]}（{t}"
            + "".join(f"，缺少“{c.label}”" for c in m.missing_required)
            + "）"
            for _, _, t, m in close[:3]
        )
        raise IngestError(
            f"无法确定 {where} 是哪张表：表头同时符合 {names}。请补全表头，或用 --table 指定表名"
        )
    if best[3].missing_required:
        raise IngestError(
            f"{where} 缺少必填列：{_need(best[3])}（表头最接近表 {_named(best[2])}）。"
            "请补上这些列后重新导入，或用 --table 指定表名"
        )
    return best[2]
