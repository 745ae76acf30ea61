"""A real app on a free port with a fixture warehouse, and Debian's Chromium driven by
Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fixtures import firm, uscc, write_warehouse  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="save every page at desktop and phone width under screenshots/",
    )


def browser_data(data: Path) -> Path:
    """Two towns, certificates, contracts and one firm that passes all six HNTE criteria (firm
    3)."""
    return write_warehouse(
        data,
        enterprises=[
            firm(1, town="掘港街道"),
            firm(2, town="长沙镇", industry_code="2614"),
            firm(3, town="长沙镇"),
        ],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)},
            {"uscc": uscc(2), "certificate_no": "C2", "issued_on": date(2026, 9, 1)},
        ],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(1),
                "role": "卖方",
                "amount_wan": 1234.5,
                "registered_on": date(2026, 5, 6),
            },
            {
                "contract_id": "T2",
                "uscc": uscc(2),
                "role": "买方",
                "amount_wan": 100.0,
                "registered_on": date(2026, 10, 31),
            },
        ],
        tax_annual=[
            {"uscc": uscc(3), "year": y, "revenue_wan": r, "rd_expense_wan": d}
            for y, r, d in ((2023, 3000.0, 150.0), (2024, 4000.0, 200.0), (2025, 4800.0, 240.0))
        ],
        stats_annual=[
            {
                "uscc": uscc(3),
                "year": 2025,
                "rd_staff": 10,
                "employees": 100,
                "total_assets_wan": 20000.0,
            },
            {"uscc": uscc(2), "year": 2025, "revenue_wan": 15000.0, "rd_expense_wan": 0.0},
        ],
        patents=[
            {
                "ip_id": "ZL1",
                "uscc": uscc(3),
                "ip_type": "发明专利",
                "granted_on": date(2024, 1, 1),
                "valid": True,
            }
        ],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_instance(tmp_path_factory) -> Path:
    """The app server's instance folder: the demo accounts, its audit log and share links."""
    from kechuang.access import auth

    folder = tmp_path_factory.mktemp("server_instance")
    auth.ensure_demo_users(folder / "users.json")
    return folder


@contextlib.contextmanager
def app_server(
    env: dict[str, str | None], *extra_args: str, port: int | None = None, script: str = "serve.py"
):
    """A real `streamlit run serve.py` (or `script`, e.g. app.py) on a free port with these
    environment changes (None removes); yields its URL."""
    port = port or free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *extra_args,
        ],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # bounded wait until the server answers its health check
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the app did not start within 60 s")
            time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, server_instance):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    yield from _served(browser_data(tmp_path_factory.mktemp("browser") / "data"), server_instance)


def _served(data: Path, instance: Path):
    """A server on `data` with the session's accounts (its URL, while the fixture lives)."""
    env = {
        "KECHUANG_DATA": str(data),
        "KECHUANG_USERS": str(instance / "users.json"),
        "KECHUANG_AUDIT": None,
    }
    with app_server(env) as url:
        yield url


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory, server_instance):
    """A server on the demo county (kechuang.demo), for the phone and date-picker tests: neither
    changes its data or accounts (the phone tests' share link lives in server_instance)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    from kechuang import demo

    data = tmp_path_factory.mktemp("phone") / "demo"
    demo.write_demo(data)
    yield from _served(data, server_instance)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def signed_in(browser):
    """(server URL, user) -> the cookies of one login there (made on first use, kept for the run),
    so that a test whose subject is not the login opens its pages signed in, as a returning user
    does (new_context(storage_state=...))."""
    from kechuang.access import sessions

    states: dict[tuple[str, str], dict] = {}

    def state(url: str, user: str) -> dict:
        if (url, user) not in states:
            context = browser.new_context()
            open_page(context.new_page(), f"{url}/?as_of=2026-10-30", user)
            deadline = time.monotonic() + 30
            while not any(c["name"] == sessions.COOKIE for c in context.cookies()):
                assert time.monotonic() < deadline, f"{user}: no session cookie after the login"
                time.sleep(0.1)
            states[url, user] = context.storage_state()
            context.close()
        return states[url, user]

    return state


@pytest.fixture
def signed_page(browser, signed_in, app_url):
    """The page fixture's twin, signed in: signed_page(user) (the analyst unless named)."""
    contexts = []

    def make(user: str = "analyst"):
        contexts.append(
            browser.new_context(
                viewport={"width": 1280, "height": 900},
                accept_downloads=True,
                storage_state=signed_in(app_url, user),
            )
        )
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


PASSWORDS = {
    name: password
    for name, _, password, _, _ in __import__("kechuang.access.auth").access.auth.DEMO_ACCOUNTS
}


# Something only a finished login page, an account's page or a share view shows (the h1 alone races
# the form).
READY = (
    'input[aria-label="密码"], [data-testid="stSidebar"]:has-text("当前用户："), '
    '[data-testid="stMain"]:has-text("只读分享视图"), [data-testid="stAlert"]:has-text("分享链接无'
    '法打开")'
)


def settle(pg):
    """Wait until the login form or a page's frame is drawn, the main area has its title (h1) and
    Streamlit has stopped."""
    pg.wait_for_selector(
        READY, state="attached", timeout=45_000
    )  # attached: a phone collapses the sidebar
    pg.wait_for_selector('[data-testid="stMain"] h1', timeout=45_000)
    pg.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=45_000
    )


def log_in(pg, user: str, password: str | None = None):
    """Fill and send the login form (the demo account's password unless given)."""
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码", exact=True).fill(password if password is not None else PASSWORDS[user])
    pg.get_by_role("button", name="登录").click()


def open_page(pg, url: str, user: str | None = "analyst"):
    """Go to a URL, log in as `user` when the login form shows (a new browser session), and wait
    for the page."""
    pg.goto(url)
    settle(pg)
    if user and pg.locator('input[aria-label="密码"]').count():
        log_in(pg, user)
        pg.wait_for_selector('input[aria-label="密码"]', state="detached", timeout=45_000)
        settle(pg)
    return pg


def open_list(pg, key: str) -> None:
    """Open the list of the select whose widget key is `key` (its arrow button) and wait until it
    is drawn.

    The select is scrolled into view and the page's animations (the sidebar sliding in) are
    over first: a list closes when the sidebar scrolls, and one opened while its select moves can
    stay transparent; then the arrow is pressed again (closing it, then opening it)."""
    button = pg.locator(f".st-key-{key} button[aria-haspopup=listbox]")
    button.scroll_into_view_if_needed()
    pg.wait_for_function(STILL, timeout=10_000)
    for _ in range(4):
        button.click()
        try:
            pg.wait_for_function(LIST_SHOWN, timeout=3_000)
            return
        except Exception:  # Playwright's TimeoutError: not shown; press again
            continue
    raise AssertionError(f"the list of the select {key} did not open")


STILL = "document.getAnimations().every(a => a.playState !== 'running')"
LIST_SHOWN = """() => {
  const list = document.querySelector('[data-testid=stSelectboxVirtualDropdown]');
  return !!list && getComputedStyle(list).opacity === '1'
    && document.getAnimations().every(a => a.playState !== 'running');
}"""


def choose_option(pg, key: str, text: str, tries: int = 3) -> None:
    """Pick `text` in the select whose widget key is `key` (e.g. "as_of__day" of the date picker,
    kechuang/ui/date_picker.py) and wait for the run it starts to end with the select showing it.

    Waiting for the run matters: a select whose options the run changes (the days of a new month)
    is a new widget, and a pick made in the old one's list while the run goes on is dropped. On a
    loaded machine a pick was seen undone (the page then showed the URL's day, as after a
    reconnection): it is made again, up to `tries` times."""
    box = pg.locator(f".st-key-{key} input[role=combobox]")
    for _ in range(tries):
        if _pick(pg, key, text, box):
            return
    raise AssertionError(f"{key}: {text} chosen {tries} times, {box.input_value()} shown")


def _pick(pg, key: str, text: str, box) -> bool:
    pg.wait_for_function(IDLE, timeout=45_000)
    if box.input_value() == text:
        return True
    runs = pg.evaluate(RUNS)
    open_list(pg, key)
    listbox, option = pg.get_by_role("listbox"), pg.get_by_role("option", name=text, exact=True)
    listbox.evaluate("el => { el.scrollTop = 0; }")
    for _ in range(40):  # the list draws only the options in view: scroll down to the one wanted
        if option.count():
            break
        listbox.evaluate("el => { el.scrollTop += 120; }")
        pg.wait_for_timeout(50)
    option.click()
    # A run too short to be drawn as running is not counted: then 5 s with the pick shown.
    with contextlib.suppress(Exception):  # Playwright's TimeoutError
        pg.wait_for_function(RAN, arg=runs, timeout=5_000)
    pg.wait_for_function(IDLE, timeout=45_000)
    with contextlib.suppress(Exception):
        pg.wait_for_function(SHOWS, arg=[key, text], timeout=5_000)
    return box.input_value() == text


# Streamlit's script state is an attribute of its root (data-test-script-state); window.kcRuns
# counts the runs that ended since the page was first asked.
RUNS = """() => {
  if (window.kcRuns === undefined) {
    window.kcRuns = 0;
    const app = document.querySelector('[data-testid=stApp]');
    let last = app.dataset.testScriptState;
    new MutationObserver((changes) => {  // the states in between are the changes' old values
      for (const now of [...changes.slice(1).map(c => c.oldValue), app.dataset.testScriptState]) {
        if (now === 'notRunning' && last !== 'notRunning') window.kcRuns += 1;
        last = now;
      }
    }).observe(app, {
      attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  }
  return window.kcRuns;
}"""
RAN = "runs => window.kcRuns > runs"
SHOWS = """([key, text]) =>
  document.querySelector(`.st-key-${key} input[role=combobox]`)?.value === text"""
IDLE = """() => document.querySelector('[data-testid=stApp]').dataset.testScriptState
  === 'notRunning'"""


def choose_day(pg, key: str, day) -> None:
    """Pick `day` (a date) in the date picker `key`: its year, month and day selects in turn."""
    for part, text in zip(
        ("year", "month", "day"), (f"{day.year}年", f"{day.month}月", f"{day.day}日"), strict=True
    ):
        wait_enabled(pg, f"{key}__{part}")  # an optional date's 月, 日 wait for its year
        choose_option(pg, f"{key}__{part}", text)


def wait_enabled(pg, key: str) -> None:
    pg.wait_for_function(
        "key => { const box = document.querySelector(`.st-key-${key} input[role=combobox]`);"
        " return box && !box.disabled; }",
        arg=key,
        timeout=45_000,
    )
