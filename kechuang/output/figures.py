"""Plotly figures as PNG images for documents: kaleido driving the installed Chromium, offline.

The figures are the pages' own (kechuang.charts builders); only the pixels are made here. Kaleido
finds the browser through choreographer: BROWSER_PATH when set, else chromium / google-chrome on
PATH; it starts it headless and without the sandbox, which is what lets it run as root in a
container. Plotly.js comes from the installed plotly package and MathJax is switched off, so
nothing is fetched from outside the server. All figures of a document are rendered in one browser
session (starting Chromium is most of the cost).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

# choreographer logs (and ignores) odd messages on Chromium's pipe with a traceback; without a
# handler of our own, Python would print it on the CLI's stderr. Failures still raise (Failed).
for _name in ("choreographer", "kaleido"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

INSTALL = (
    "无法绘制简报图表：未找到 Chromium 浏览器，"
    "请安装 chromium（make browser，或 apt-get install chromium），或设置 BROWSER_PATH 指向浏览器"
)
WIDTH_PX = 680  # on the 15.6 cm text width the pages' 12 px labels print at ≈ 8 pt
SCALE = 2  # sharp in print
TIMEOUT_SECONDS = 90
# kaleido 1.5 enables the tab's JavaScript events after asking it to load its page: on a busy
# machine it can take the blank tab's context, where its page's script is "not defined". Then a
# second browser is asked, once.
RACE = "kaleido_scopes is not defined"


class Unavailable(RuntimeError):
    """No browser for kaleido: the message says what to install."""


class Failed(RuntimeError):
    """The browser did not render a figure (it crashed or timed out)."""


def browser() -> str | None:
    """The browser kaleido would start (BROWSER_PATH or PATH), or None."""
    from choreographer.browsers.chromium import Chromium

    return Chromium.find_browser(skip_local=True)


def require() -> str:
    path = browser()
    if path is None:
        raise Unavailable(INSTALL)
    return path


async def _render(figures: list, path: str) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, timeout=TIMEOUT_SECONDS, mathjax=False, path=path) as k:
        images = []
        for fig in figures:
            height = fig.layout.height or 400
            opts = {"format": "png", "width": WIDTH_PX, "height": height, "scale": SCALE}
            images.append(await k.calc_fig(fig, opts=opts))
        return images


def png(figures: list) -> list[bytes]:
    """Each figure as PNG bytes, at its own layout height and the document's width."""
    if not figures:
        return []
    path = require()
    # A thread of its own: asyncio.run needs a thread without a running event loop.
    with ThreadPoolExecutor(max_workers=1) as worker:
        for attempt in (1, 2):
            try:
                return worker.submit(asyncio.run, _render(figures, path)).result()
            except Exception as err:  # kaleido's and choreographer's many kinds, said in one line
                if attempt == 1 and RACE in str(err):
                    continue
                first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                raise Failed(f"简报图表绘制失败（Chromium {path}）：{first}") from err
