"""The web server: Streamlit's ASGI app (st.App) serving app.py. In front of Streamlit: known Host
names only and /_stcore/metrics closed (kechuang/access/http.py), then our sign-in routes and the
download guard (kechuang/ui/server.py). `make run` runs `streamlit run serve.py`; `streamlit run`
finds `app` below and serves it (any ASGI server can too: `uvicorn serve:app`)."""

import contextlib

import streamlit as st

from kechuang.access import http
from kechuang.ui import ahead, cache, collector, server, warmup

collector.limit_arenas()  # before the sessions' threads allocate (kechuang/ui/collector.py)

# Before the server answers, so the first sign-in finds the pages' work done: every page's modules
# imported and frozen (kechuang/ui/warmup.py), then the county warehouse opened with its one-off
# work finished (not frozen: a new data version replaces it), and 总览's figures for the county. A
# data problem is left for the pages to report after login, with its message.
warmup.import_and_freeze()
with contextlib.suppress(Exception):
    cache.open_county(wait=True)
    ahead.county_overview_now()  # 总览, the first page after login, for the county
ahead.start()  # then every town's pages, while the server is idle (kechuang/ui/ahead.py)

app = st.App("app.py", middleware=[*http.middleware(), *server.middleware()])
