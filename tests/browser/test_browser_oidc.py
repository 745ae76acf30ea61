"""Login through the county's identity provider (st.login, OIDC), against a local mock provider.

The provider puts a `roles` claim (kechuang-leader) and a name in the ID token; the app maps them
to a 领导 with no ingest page. A provider account without a kechuang role is refused with a
message."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest
from conftest import CHROMIUM, app_server, browser_data, free_port, settle

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")


def put_user(provider: str, sub: str, claims: dict) -> None:
    request = urllib.request.Request(
        f"{provider}/users/{quote(sub)}",
        data=json.dumps(claims).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    folder = tmp_path_factory.mktemp("oidc")
    data = browser_data(folder / "data")
    with oidc_provider_mock.run_server_in_thread() as server:
        provider = f"http://localhost:{server.server_port}"
        port = free_port()
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-cookie-secret-for-the-test-only"\n'
            'client_id = "kechuang"\nclient_secret = "kechuang-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = {
            "KECHUANG_DATA": str(data),
            "KECHUANG_USERS": str(folder / "instance" / "users.json"),
            "KECHUANG_AUDIT": None,
        }
        with app_server(env, "--secrets.files", str(secrets), port=port):
            yield provider, f"http://localhost:{port}", folder / "instance"


def sign_in_with_provider(pg, app: str, sub: str) -> None:
    pg.goto(f"{app}/progress?as_of=2026-10-31")
    pg.get_by_role("button", name="统一身份认证登录").click()
    pg.locator('input[name="sub"]').first.fill(sub)  # the mock provider's authorization form
    pg.get_by_role("button", name="Authorize").click()


def test_a_provider_role_claim_signs_in_a_leader(oidc_app, browser):
    provider, app, instance = oidc_app
    put_user(
        provider,
        "wang",
        {"name": "王局长", "preferred_username": "wang", "roles": ["kechuang-leader"]},
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    sign_in_with_provider(pg, app, "wang")
    pg.get_by_text("当前用户：王局长（领导）").wait_for(timeout=45_000)
    settle(pg)
    nav = pg.inner_text('[data-testid="stSidebarNav"]')
    assert "目标进度" in nav and "数据导入" not in nav
    events = [
        json.loads(line)
        for line in (instance / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["user"], e["role"], e["action"]) for e in events] == [("wang", "leader", "login")]
    context.close()


def test_a_provider_account_without_a_role_is_refused(oidc_app, browser):
    provider, app, _ = oidc_app
    put_user(provider, "visitor", {"name": "访客", "preferred_username": "visitor"})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    sign_in_with_provider(pg, app, "visitor")
    pg.get_by_text("未被授予驾驶舱角色").wait_for(timeout=45_000)
    assert pg.locator('[data-testid="stMetric"]').count() == 0
    context.close()
