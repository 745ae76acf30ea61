"""Staying signed in (issue 20), in Chromium against real servers started by serve.py.

Reload, a new tab, a pasted deep link and a server restart keep the session; logout in one tab
ends it in the others and for every copy of the cookie; the cookie's flags; downloads (/media)
only for the live session of the account that made them; two processes over one PostgreSQL."""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request

import pytest
from conftest import CHROMIUM, app_server, browser_data, free_port, log_in, settle
from fixtures import uscc

from kechuang.access import sessions

SIDEBAR = '[data-testid="stSidebar"]'
PASSWORD_BOX = 'input[aria-label="密码"]'


class Server:
    """One instance folder and port; start() and stop() as often as a test needs (a restart)."""

    def __init__(self, env: dict, port: int):
        self.env, self.port, self._stack = env, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self):
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(app_server(self.env, port=self.port))

    def stop(self):
        self._stack.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not __import__("pathlib").Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    folder = tmp_path_factory.mktemp("sessions")
    data = browser_data(folder / "data")
    env = {
        "KECHUANG_DATA": str(data),
        "KECHUANG_USERS": str(folder / "instance" / "users.json"),
        "KECHUANG_AUDIT": None,
        "KECHUANG_STATE": None,
    }
    from kechuang.access import auth

    auth.ensure_demo_users(folder / "instance" / "users.json")
    srv = Server(env, free_port())
    srv.start()
    yield srv
    srv.stop()


def signed_in(pg) -> bool:
    """Wait for the page to settle and say whether it shows an account (not the login form)."""
    settle(pg)
    return pg.locator(PASSWORD_BOX).count() == 0 and "当前用户：" in pg.inner_text(SIDEBAR)


def sign_in(pg, url: str, user: str = "analyst"):
    pg.goto(url)
    settle(pg)
    log_in(pg, user)
    pg.wait_for_selector(f'{SIDEBAR}:has-text("当前用户：")', state="attached", timeout=45_000)
    settle(pg)
    # The page after 登录 is drawn at once; the browser fetches its cookie meanwhile (ui/login.py
    # hand_over_cookie): it is there within moments.
    deadline = time.monotonic() + 10
    while not [c for c in pg.context.cookies() if c["name"] == sessions.COOKIE]:
        assert time.monotonic() < deadline, "no session cookie 10 s after 登录"
        pg.wait_for_timeout(50)


def session_cookie(context) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == sessions.COOKIE]
    return cookie


def test_reload_new_tab_deep_link_and_restart_keep_the_user_signed_in(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    deep = f"{server.url}/progress?as_of=2026-06-30&town=长沙镇"
    sign_in(pg, deep)
    assert "as_of=2026-06-30" in pg.url and pg.url.startswith(f"{server.url}/progress")
    pg.reload()
    assert signed_in(pg) and "“六百创新”目标进度" in pg.inner_text('[data-testid="stMain"]')
    tab = context.new_page()  # a pasted deep link in a new tab
    tab.goto(f"{server.url}/enterprise?uscc={uscc(3)}&as_of=2026-10-31")
    assert signed_in(tab) and uscc(3) in tab.url and "一企一档" in tab.inner_text(SIDEBAR)
    server.stop()
    server.start()  # same port, same database: the cookie still names a live session
    pg.goto(deep)
    assert signed_in(pg) and "town=%E9%95%BF%E6%B2%99%E9%95%87" in pg.url
    assert "“六百创新”目标进度" in pg.inner_text('[data-testid="stMain"]')
    context.close()


def test_the_cookie_is_httponly_lax_on_the_base_path_and_lasts_the_session_limit(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    sign_in(pg, f"{server.url}/")
    cookie = session_cookie(context)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"], cookie["secure"]) == (
        True,
        "Lax",
        "/",
        False,  # plain http here; Secure when KECHUANG_BASE_URL is https (test_sessions_web)
    )
    assert len(cookie["value"]) >= 43  # 256 random bits
    assert pg.evaluate("document.cookie").find(sessions.COOKIE) == -1  # no script can read it
    context.close()


def test_logout_in_one_tab_ends_the_session_in_the_others_and_for_a_copied_cookie(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab_a = context.new_page()
    sign_in(tab_a, f"{server.url}/")
    tab_b = context.new_page()
    tab_b.goto(f"{server.url}/progress?as_of=2026-10-31")
    assert signed_in(tab_b)
    copied = session_cookie(context)
    thief = browser.new_context(viewport={"width": 1280, "height": 900})
    thief.add_cookies([copied])
    stolen = thief.new_page()
    stolen.goto(f"{server.url}/")
    assert signed_in(stolen)  # the cookie is the session, copied or not ...
    tab_a.get_by_role("button", name="退出登录").click()
    tab_a.wait_for_selector(PASSWORD_BOX, timeout=45_000)
    assert [c for c in context.cookies() if c["name"] == sessions.COOKIE] == []
    tab_b.locator('[data-testid="stSidebarNav"]').get_by_text("总览").click()  # its next rerun
    tab_b.wait_for_selector(PASSWORD_BOX, timeout=45_000)
    assert "已在其他页面退出登录" in tab_b.inner_text('[data-testid="stMain"]')
    stolen.goto(f"{server.url}/")  # ... until logout
    assert not signed_in(stolen)
    thief.close()
    context.close()


def fetch(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"{sessions.COOKIE}={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_download_url_needs_the_live_session_of_the_account_that_made_it(server, browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    sign_in(pg, f"{server.url}/rd-zero?as_of=2026-10-31", user="leader")
    with pg.expect_download() as info:
        pg.get_by_role("button", name="下载 CSV").first.click()
    url = info.value.url
    assert "/media/" in url and info.value.failure() is None  # the maker got the file
    assert info.value.path().read_bytes().startswith("\ufeff".encode())  # the CSV itself
    mine = session_cookie(context)["value"]
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    sign_in(other.new_page(), f"{server.url}/", user="analyst")
    theirs = session_cookie(other)["value"]
    assert fetch(url) == 403  # curl without the cookie
    assert fetch(url, "forged-token") == 403
    assert fetch(url, theirs) == 403  # another account's live session
    # (the maker's own fetch above went through; Streamlit drops the built file soon after,
    # so a later fetch by the maker would say 404, not 403)
    pg.get_by_role("button", name="退出登录").click()
    pg.wait_for_selector(PASSWORD_BOX, timeout=45_000)
    assert fetch(url, mine) == 403  # the session ended
    other.close()
    context.close()


def test_two_app_processes_over_one_postgresql_share_the_session(
    pg_server, browser, tmp_path_factory
):
    from pg import new_pg_database

    from kechuang.access import auth
    from kechuang.state import db

    url = new_pg_database(pg_server)
    folder = tmp_path_factory.mktemp("two")
    env = {
        "KECHUANG_DATA": str(browser_data(folder / "data")),
        "KECHUANG_USERS": str(folder / "instance" / "users.json"),
        "KECHUANG_STATE": url,
        "KECHUANG_AUDIT": None,
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KECHUANG_STATE", url)
        auth.ensure_demo_users(folder / "instance" / "users.json")
    db.dispose(url)
    one, two = Server(env, free_port()), Server(env, free_port())
    one.start()
    two.start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        sign_in(pg, f"{one.url}/")
        other = context.new_page()  # same host, other port: the browser sends the same cookie
        other.goto(f"{two.url}/progress?as_of=2026-10-31")
        assert signed_in(other)
        other.get_by_role("button", name="退出登录").click()
        other.wait_for_selector(PASSWORD_BOX, timeout=45_000)
        pg.locator('[data-testid="stSidebarNav"]').get_by_text("目标进度").click()
        pg.wait_for_selector(PASSWORD_BOX, timeout=45_000)  # process one saw it end
        context.close()
    finally:
        one.stop()
        two.stop()
