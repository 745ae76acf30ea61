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


def recognise(heads: list[str], where: str) -> str:
    """The contract table whose columns the headers name: every required column present, most
    columns matched."""
    from kechuang.ingest.read import IngestError

    scored = []
    for table in contract.TABLES:
        m = map_headers(table, heads)
        if not m.missing_required:
            scored.append((len(m.columns), len(m.columns) / len(contract.columns(table)), table))
    scored.sort(reverse=True)
    if not scored:
        shown = "、".join(h for h in heads if str(h).strip())[:200]
        raise IngestError(
            f"无法识别 {where} 是哪张表：表头（{shown}）与数据规范中任何一张表都不符。请核对表头，"
            "或用 --table 指定表名"
        )
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        names = "、".join(f"{t}（{contract.TABLE_LABELS[t]}）" for _, _, t in scored[:2])
        raise IngestError(f"无法确定 {where} 是哪张表：表头同时符合 {names}。请用 --table 指定表名")
    return scored[0][2]
