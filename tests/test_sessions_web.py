"""Our ASGI routes (kechuang/ui/server.py), called as the server calls them, on the real
database."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from kechuang.access import auth, sessions, signin
from kechuang.ui import server


def call(path: str, query: str = "", cookie: str | None = None) -> tuple[int, dict, list]:
    """One HTTP request through SessionGate; (status, headers, what reached Streamlit)."""
    passed: list = []
    sent: list = []

    async def streamlit(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"file"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    headers = [(b"cookie", f"{sessions.COOKIE}={cookie}".encode())] if cookie else []
    scope = {"type": "http", "path": path, "query_string": query.encode(), "headers": headers}
    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever the test process runs
        pool.submit(asyncio.run, server.SessionGate(streamlit)(scope, receive, send)).result()
    start = sent[0]
    multi: dict[str, list[str]] = {}
    for k, v in start["headers"]:
        multi.setdefault(k.decode(), []).append(v.decode("utf-8"))
    return start["status"], multi, passed


def ticket_for(name: str = "analyst") -> tuple[str, auth.Session]:
    path = auth.users_path()
    session = signin.login(path, name, f"demo-{'town' if name == 'changsha' else name}")
    return sessions.issue_ticket(auth.store(path), session), session


def test_a_ticket_sets_the_cookie_once_and_goes_back_to_the_deep_link(monkeypatch):
    monkeypatch.delenv("KECHUANG_BASE_URL", raising=False)
    ticket, session = ticket_for()
    status, headers, _ = call(
        "/auth/session", f"ticket={ticket}&next=%2Fprogress%3Fas_of%3D2026-06-30%26town%3D%E9%95%BF"
    )
    assert status == 303 and headers["location"] == ["/progress?as_of=2026-06-30&town=长"]
    [cookie] = headers["set-cookie"]
    token = cookie.split(";")[0].removeprefix(f"{sessions.COOKIE}=")
    assert cookie == (f"{sessions.COOKIE}={token}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax")
    assert headers["cache-control"] == ["no-store"]
    found = sessions.from_token(auth.store(), token, datetime.now(UTC), auth.SessionPolicy())
    assert found.id == session.id
    status, headers, _ = call("/auth/session", f"ticket={ticket}&next=/progress")  # spent
    assert status == 303 and "set-cookie" not in headers


def test_over_https_the_cookie_is_secure_on_the_base_path(monkeypatch):
    monkeypatch.setenv("KECHUANG_BASE_URL", "https://kechuang.rudong.example/kechuang/")
    ticket, _ = ticket_for()
    _, headers, _ = call("/auth/session", f"ticket={ticket}&next=/kechuang/")
    assert headers["set-cookie"][0].endswith(
        "; Path=/kechuang; Max-Age=43200; HttpOnly; SameSite=Lax; Secure"
    )


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_next_never_leaves_the_site(target):
    from urllib.parse import quote

    status, headers, _ = call("/auth/session", f"ticket=x&next={quote(target)}")
    assert status == 303 and headers["location"] == ["/"]


def test_media_needs_a_live_session_of_the_account_that_made_the_file():
    server.register_download(b"csv,data", "text/csv", "清单.csv", "leader")
    media = f"/media/{server.file_id(b'csv,data', 'text/csv', '清单.csv')}.csv"
    status, _, passed = call(media)
    assert (status, passed) == (403, [])
    leader, _ = _cookie("leader")
    analyst, analyst_session = _cookie("analyst")
    assert call(media, cookie=leader)[0] == 200
    assert call(media, cookie=analyst)[0] == 403  # signed in, but not the maker
    assert call("/media/unknown.png", cookie=analyst)[0] == 200  # not ours: any live session
    sessions.end(auth.store(), analyst_session.id)
    assert call("/media/unknown.png", cookie=analyst)[0] == 403
    assert call("/", cookie=None)[2] == ["/"]  # pages pass through untouched


def _cookie(name: str) -> tuple[str, auth.Session]:
    ticket, session = ticket_for(name)
    _, headers, _ = call("/auth/session", f"ticket={ticket}")
    return headers["set-cookie"][0].split(";")[0].split("=", 1)[1], session


def test_auth_end_ends_the_session_and_deletes_the_cookie():
    token, session = _cookie("analyst")
    status, headers, _ = call("/auth/end", "next=/", cookie=token)
    assert status == 303 and headers["location"] == ["/"]
    assert headers["set-cookie"] == [
        f"{sessions.COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    ]
    with pytest.raises(auth.SessionExpired):
        sessions.from_token(auth.store(), token, datetime.now(UTC), auth.SessionPolicy())
