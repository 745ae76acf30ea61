"""The link that reopens a view: where the dashboard is served and the view's query string."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from kechuang import settings

OVERVIEW_URL_PATH = ""  # the overview is the app's default page, served at the root URL
PARAM_ORDER = ("as_of", "town", "metric")


def base_url() -> str:
    """Where the dashboard is served (env KECHUANG_BASE_URL), without a trailing slash."""
    return settings.current().base_url


def share_url(url_path: str, params: Mapping[str, str], base: str | None = None) -> str:
    """The link that reopens a page as shown: base + url path + the view's query string.

    Only the view's parameters (PARAM_ORDER: as_of, town, metric) go in, in that order; anything
    else in the current query string (e.g. a signed share token) stays out of a plain link."""
    root = (base if base is not None else base_url()).rstrip("/")
    query = urlencode([(k, params[k]) for k in PARAM_ORDER if params.get(k) not in (None, "")])
    return f"{root}/{url_path.strip('/')}" + (f"?{query}" if query else "")
