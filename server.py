"""What `make run` serves: app.py as a Streamlit ASGI app behind the host check and with
/_stcore/metrics closed (kechuang/access/http.py). `streamlit run server.py` finds `app` here."""

import streamlit as st

from kechuang.access import http

app = st.App("app.py", middleware=http.middleware())
