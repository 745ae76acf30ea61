"""Unified social credit codes (统一社会信用代码, GB 32100-2015): format and check character."""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_FORMAT = re.compile(f"^[{ALPHABET}]{{18}}$")


def check_char(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_well_formed(code: str | None) -> bool:
    """18 characters, each from the GB 32100 alphabet (upper case)."""
    return bool(code) and bool(_FORMAT.match(code))


def is_valid(code: str | None) -> bool:
    """Well formed and its 18th character is the check character of the first 17."""
    return is_well_formed(code) and check_char(code[:17]) == code[17]


def problem(code: str | None) -> str | None:
    """What is wrong with a code, in Chinese, or None when it is valid."""
    if not code:
        return "统一社会信用代码为空"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    if not _FORMAT.match(code):
        bad = sorted({ch for ch in code if ch not in ALPHABET})
        return f"统一社会信用代码含非法字符：{''.join(bad)}"
    if check_char(code[:17]) != code[17]:
        return f"统一社会信用代码校验位不符（应为{check_char(code[:17])}）"
    return None
