"""PDF from the Word briefing: LibreOffice headless converts the .docx, so there is one layout, not
two.

Each conversion runs with its own LibreOffice profile (-env:UserInstallation in a temporary
folder), so parallel conversions (two users, the tests) neither clash nor wait on one another's
profile lock. The fonts the document names (仿宋, 黑体, 楷体, 方正小标宋简体) are offered Noto
CJK as a fallback through a private fontconfig file: an installed 仿宋 still wins, a server
without it still prints Chinese well.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

INSTALL = (
    "无法生成 PDF：未找到 LibreOffice（soffice），"
    "请安装 libreoffice-writer-nogui（make pdf，或 apt-get install libreoffice-writer-nogui）"
)
TIMEOUT_SECONDS = 180
SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
FALLBACKS = {  # a family the document names -> what fontconfig offers after it
    "仿宋": SERIF,
    "仿宋_GB2312": SERIF,
    "FangSong": SERIF,
    "楷体": SERIF,
    "楷体_GB2312": SERIF,
    "KaiTi": SERIF,
    "方正小标宋简体": SERIF,
    "宋体": SERIF,
    "SimSun": SERIF,
    "黑体": SANS,
    "SimHei": SANS,
    "Times New Roman": SERIF,  # digits: else DejaVu Serif (no Liberation fonts here), too wide
}


class Unavailable(RuntimeError):
    """LibreOffice is not installed: the message says what to install."""


class ConversionFailed(RuntimeError):
    """LibreOffice ran but wrote no PDF."""


def soffice() -> str | None:
    """The LibreOffice program on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require() -> str:
    """The LibreOffice program, or Unavailable with the line saying what to install."""
    program = soffice()
    if program is None:
        raise Unavailable(INSTALL)
    return program


def _fontconfig(folder: Path) -> Path:
    aliases = "".join(
        f"<alias binding='same'><family>{escape(name)}</family>"
        f"<accept><family>{escape(fallback)}</family></accept></alias>"
        for name, fallback in FALLBACKS.items()
    )
    path = folder / "fonts.conf"
    system = os.environ.get("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    path.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
        f"<include ignore_missing='yes'>{escape(system)}</include>{aliases}</fontconfig>",
        encoding="utf-8",
    )
    return path


def docx_to_pdf(docx: bytes) -> bytes:
    """The PDF of a .docx as LibreOffice prints it."""
    program = require()
    with tempfile.TemporaryDirectory(prefix="kechuang-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "briefing.docx"
        source.write_bytes(docx)
        env = {
            **os.environ,
            "FONTCONFIG_FILE": str(_fontconfig(folder)),
            "HOME": str(
                folder
            ),  # LibreOffice writes caches under HOME; keep them in the temp folder
        }
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            raise ConversionFailed(f"PDF 转换超时（{TIMEOUT_SECONDS} 秒）") from None
        target = folder / "briefing.pdf"
        if not target.is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise ConversionFailed(
                "PDF 转换失败（LibreOffice 未生成文件）" + (f"：{detail[-1]}" if detail else "")
            )
        return target.read_bytes()
