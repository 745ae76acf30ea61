"""The UI layer, the only part of the package that imports Streamlit. Pages and app.py import the
modules they use by name (`from kechuang.ui import cache, grids`); this file imports none of them.

Light (what the login page loads; no polars, no DuckDB):
    access   who is looking: sessions, share-link visitors, the user's towns, audited actions
    login    the login form and the sidebar's account box
    server   the cookie routes and the download guard (serve.py's middleware)
    style    the house style (Streamlit's English controls hidden, the phone sidebar)
Heavy (polars and DuckDB, ≈ 0.3 s to import on a fresh server; app.py imports them once the login
form is drawn, and every page after login):
    cache    the cached warehouse and calls, open_or_stop
    filters  URL state: the as-of date and town in the sidebar, url_choice
    grids    tables with their audited downloads, number formats, firm tables, chart_table
    panels   freshness, status badges, progress cards, the target list, absent-data notes
    records  the work records' forms and timeline
"""
