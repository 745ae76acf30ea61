"""What the web server answers before Streamlit does: known Host headers only, no metrics.

`serve.py` mounts app.py as a Streamlit ASGI app (st.App) with these middlewares; `make run`
serves it. Streamlit's own `server.allowedHosts` checks only the WebSocket, and nothing in its
configuration closes `/_stcore/metrics` (session counts and cache sizes, unauthenticated).

    allowed_hosts()          # env KECHUANG_ALLOWED_HOSTS (comma-separated), else localhost names
    middleware()             # [TrustedHostMiddleware, ClosedPaths] for st.App(middleware=...)
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse

from kechuang import settings

LOCAL_HOSTS = ("localhost", "127.0.0.1")
# Streamlit routes that answer without login and tell an outsider about the server.
CLOSED_SUFFIXES = ("/_stcore/metrics",)


def allowed_hosts() -> list[str]:
    """The Host names the server answers to: KECHUANG_ALLOWED_HOSTS (e.g. the public name the
    reverse proxy forwards, `kechuang.rudong.example`; `*.example` wildcards), else localhost."""
    return list(settings.current().allowed_hosts) or list(LOCAL_HOSTS)


class ClosedPaths:
    """An ASGI middleware answering 404 for CLOSED_SUFFIXES (under any base URL path)."""

    def __init__(self, app, suffixes: tuple[str, ...] = CLOSED_SUFFIXES):
        self.app, self.suffixes = app, suffixes

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "").rstrip("/")
        if scope["type"] == "http" and path.endswith(self.suffixes):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def middleware() -> list[Middleware]:
    return [
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts()),
        Middleware(ClosedPaths),
    ]


FORWARD_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


def is_local_client(ip_address: str | None, headers) -> bool:
    """Whether a browser session comes from the server machine itself: its connection is from
    loopback (Streamlit reports None for localhost) and no proxy header names another address.
    Not proof of identity (headers can be forged, but only to look *less* local here)."""
    import ipaddress

    def loopback(text: str) -> bool:
        text = text.strip().strip('"').removeprefix("for=").strip('"[]')
        host = text.rsplit(":", 1)[0] if text.count(":") == 1 else text
        try:
            return ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            return host.lower() == "localhost"

    if ip_address is not None and not loopback(ip_address):
        return False
    for name in FORWARD_HEADERS:
        value = (headers or {}).get(name) or (headers or {}).get(name.title())
        if value:
            hops = [p for part in value.split(",") for p in part.split(";") if p.strip()]
            addresses = [h for h in hops if "=" not in h or h.strip().lower().startswith("for=")]
            if not all(loopback(h) for h in addresses):
                return False
    return True
