"""The web server: Streamlit's ASGI app (st.App) serving app.py. In front of Streamlit: known Host
names only and /_stcore/metrics closed (kechuang/access/http.py), then our sign-in routes and the
download guard (kechuang/ui/server.py). `make run` runs `streamlit run serve.py`; `streamlit run`
finds `app` below and serves it (any ASGI server can too: `uvicorn serve:app`)."""

import streamlit as st

from kechuang.access import http
from kechuang.ui import server, warmup

warmup.at_start()  # before the server answers: the first sign-in finds the pages' work done

app = st.App("app.py", middleware=[*http.middleware(), *server.middleware()])
