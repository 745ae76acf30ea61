"""Issue 17 item 8: what `make run` serves (serve.py) answers only to known Host names, keeps
/_stcore/metrics closed, and is the whole app (login, deep links) as `streamlit run app.py` is."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from conftest import app_server, browser_data, open_page, uscc


@pytest.fixture(scope="module")
def served(tmp_path_factory, server_instance):
    data = browser_data(tmp_path_factory.mktemp("exposure") / "data")
    env = {
        "KECHUANG_DATA": str(data),
        "KECHUANG_USERS": str(server_instance / "users.json"),
        "KECHUANG_AUDIT": None,
        "KECHUANG_ALLOWED_HOSTS": None,
    }
    with app_server(env, script="serve.py") as url:
        yield url


def status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_metrics_are_closed(served):
    assert status(f"{served}/_stcore/health") == 200
    assert status(f"{served}/_stcore/metrics") == 404
    assert status(f"{served}/_stcore/metrics/") == 404


def test_an_unknown_host_header_is_refused(served):
    port = served.rsplit(":", 1)[1]
    assert status(f"{served}/", host="evil.example") == 400
    assert status(f"{served}/", host=f"localhost:{port}") == 200
    assert status(f"{served}/", host=f"127.0.0.1:{port}") == 200


def test_the_guarded_server_is_the_whole_app(served, page):
    open_page(page, f"{served}/enterprise?uscc={uscc(3)}&as_of=2026-10-31", "analyst")
    assert page.locator('[data-testid="stMain"] h2').first.inner_text().startswith("如东测试3号")
