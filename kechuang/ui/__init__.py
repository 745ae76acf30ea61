"""The UI layer, the only part of the package that imports Streamlit. Pages and app.py call
`ui.<name>`.

Who is looking (login, share links, roles, audit) is `ui/access.py`, imported here at once: the
login page needs nothing else. What pages are drawn with (cached warehouse and calls, URL state,
filters, tables, cards) is `ui/parts.py`, imported on the first `ui.<name>` it answers: the login
page of a freshly started server then does not wait for polars and DuckDB to load (≈ 0.3 s)."""

from __future__ import annotations

import importlib

from kechuang.ui.access import (  # noqa: F401  (re-exported)
    _FILTERS,
    ALL_TOWNS,
    account_box,
    audit_event,
    audit_once,
    audited_download,
    can,
    current_user,
    demo_mode,
    ensure_accounts,
    login_page,
    oidc_enabled,
    requested_page,
    scope_name,
    share_link_box,
    share_view,
    signed_in,
    user_scope,
)


def __getattr__(name: str):
    if name.startswith("__"):  # dunder probes (copy, pickle, import machinery) are not page helpers
        raise AttributeError(name)
    parts = importlib.import_module(
        "kechuang.ui.parts"
    )  # not `from . import parts`: that asks this hook again
    if name == "parts":
        return parts
    try:
        value = getattr(parts, name)
    except AttributeError:
        raise AttributeError(f"module 'kechuang.ui' has no attribute {name!r}") from None
    globals()[name] = value  # found once; later lookups are plain attributes
    return value
