"""Share links: signed, expiring, revocable, recorded; the visitor is a scoped `share` user."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from kechuang.access import audit, auth, share
from kechuang.state import schema

T0 = datetime(2026, 10, 31, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
AS_OF = date(2026, 10, 31)
ANALYST = auth.User("analyst", "analyst", display_name="演示分析员")
BASE = "https://kechuang.rudong.example/"


@pytest.fixture(autouse=True)
def instance(monkeypatch, tmp_path):
    monkeypatch.setenv("KECHUANG_USERS", str(tmp_path / "instance" / "users.json"))
    monkeypatch.delenv("KECHUANG_AUDIT", raising=False)
    monkeypatch.delenv("KECHUANG_SECRET", raising=False)
    return tmp_path / "instance"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["share"][0]


def test_a_link_opens_its_view_as_a_scoped_share_user(instance):
    url, token_id = share.create_link(BASE, "progress", AS_OF, "长沙镇", ANALYST, now=T0)
    assert url.startswith("https://kechuang.rudong.example/?share=")
    view = share.open_link(token_of(url), now=T0 + timedelta(days=1))
    assert view == share.ShareView(
        token_id, "progress", AS_OF, "长沙镇", "analyst", T0, T0 + timedelta(days=7)
    )
    assert view.title == "目标进度 · 长沙镇 · 截至2026年10月31日"
    visitor = view.user()
    assert (visitor.role, auth.scope_for(visitor)) == ("share", frozenset({"长沙镇"}))
    for permission in auth.PERMISSIONS:
        assert auth.can(visitor, permission) is False
    assert stat.S_IMODE((instance / "secret.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "state.db").stat().st_mode) == 0o600


def test_a_county_wide_link_has_the_whole_county_in_scope():
    url, _ = share.create_link(BASE, "overview", AS_OF, None, ANALYST, now=T0)
    view = share.open_link(token_of(url), now=T0)
    assert (
        view.town is None
        and auth.scope_for(view.user()) is None
        and view.title == "总览 · 全县 · 截至2026年10月31日"
    )


def test_a_tampered_or_foreign_token_is_refused(instance, monkeypatch):
    url, _ = share.create_link(BASE, "progress", AS_OF, "长沙镇", ANALYST, now=T0)
    token = token_of(url)
    payload, signature = token.rsplit(".", 1)
    forged_signature = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other_town = share._serializer(None).dumps(
        {"i": "x", "p": "progress", "d": "2026-10-31", "t": "洋口镇", "e": 0}
    )
    for bad in (forged_signature, payload[:-2] + "." + signature, "", "not-a-token", other_town):
        with pytest.raises(share.ShareLinkError) as err:
            share.open_link(bad, now=T0)
        assert (str(err.value), err.value.reason) in {
            ("签名无效", "invalid"),
            ("已撤销", "revoked"),
        }
    with pytest.raises(share.ShareLinkError, match="^签名无效$"):
        share.open_link(forged_signature, now=T0)
    (instance / "secret.key").write_text("another-secret-another-secret-another-secret")
    with pytest.raises(share.ShareLinkError, match="^签名无效$"):
        share.open_link(token, now=T0)


def test_a_record_that_does_not_match_the_token_is_refused(instance):
    url, token_id = share.create_link(BASE, "progress", AS_OF, "长沙镇", ANALYST, now=T0)
    t = schema.share_links
    with auth.store().begin() as conn:
        conn.execute(t.update().where(t.c.token_id == token_id).values(town="洋口镇"))
    with pytest.raises(share.ShareLinkError, match="^签名无效$"):
        share.open_link(token_of(url), now=T0)


def test_a_link_expires_after_its_days(instance):
    url, _ = share.create_link(BASE, "progress", AS_OF, None, ANALYST, now=T0)
    assert share.open_link(token_of(url), now=T0 + timedelta(days=7) - timedelta(seconds=1))
    with pytest.raises(share.ShareLinkError, match="^已过期$") as err:
        share.open_link(token_of(url), now=T0 + timedelta(days=7))
    assert err.value.reason == "expired"
    url, _ = share.create_link(BASE, "progress", AS_OF, None, ANALYST, days=1, now=T0)
    with pytest.raises(share.ShareLinkError, match="^已过期$"):
        share.open_link(token_of(url), now=T0 + timedelta(days=1))


def test_a_revoked_link_stops_opening(instance):
    url, token_id = share.create_link(BASE, "progress", AS_OF, "长沙镇", ANALYST, now=T0)
    assert share.revoke(token_id, by=ANALYST, now=T0 + timedelta(hours=1)) is True
    with pytest.raises(share.ShareLinkError, match="^已撤销$") as err:
        share.open_link(token_of(url), now=T0 + timedelta(hours=2))
    assert err.value.reason == "revoked"
    assert share.revoke(token_id, by=ANALYST) is False
    with pytest.raises(KeyError):
        share.revoke("no-such-id", by=ANALYST)


def test_deleting_the_links_records_revokes_every_link(instance):
    url, _ = share.create_link(BASE, "progress", AS_OF, None, ANALYST, now=T0)
    with auth.store().begin() as conn:
        conn.execute(schema.share_links.delete())
    with pytest.raises(share.ShareLinkError, match="^已撤销$"):
        share.open_link(token_of(url), now=T0)


def test_list_links_shows_each_status_newest_first():
    _, expired = share.create_link(BASE, "overview", AS_OF, None, ANALYST, days=1, now=T0)
    _, revoked = share.create_link(
        BASE, "progress", AS_OF, "长沙镇", ANALYST, now=T0 + timedelta(hours=1)
    )
    _, active = share.create_link(
        BASE, "progress", date(2026, 9, 30), None, "admin", now=T0 + timedelta(hours=2)
    )
    share.revoke(revoked, by="admin", now=T0 + timedelta(hours=3))
    frame = share.list_links(now=T0 + timedelta(days=2))
    assert frame.select(
        "token_id",
        "page_label",
        "as_of",
        "town",
        "created_by",
        "status",
        "status_label",
        "revoked_by",
    ).rows() == [
        (active, "目标进度", date(2026, 9, 30), "全县", "admin", "active", "有效", None),
        (revoked, "目标进度", AS_OF, "长沙镇", "analyst", "revoked", "已撤销", "admin"),
        (expired, "总览", AS_OF, "全县", "analyst", "expired", "已过期", None),
    ]
    assert frame["created_at"][2] == datetime(2026, 10, 31, 10, 0)  # Beijing time
    assert frame["expires_at"][2] == datetime(2026, 11, 1, 10, 0)
    assert (
        share.list_links().height == 3
        and share.list_links(directory=share.links_path().parent / "x").height == 0
    )


def test_only_allowed_roles_pages_and_durations():
    for role in ("leader", "town", "share"):
        with pytest.raises(PermissionError):
            share.create_link(
                BASE, "progress", AS_OF, None, auth.User("u", role, frozenset({"长沙镇"}))
            )
    with pytest.raises(ValueError, match="该页面不能分享"):
        share.create_link(BASE, "enterprise", AS_OF, None, ANALYST)
    for days in (0, 32, 7.5):
        with pytest.raises(ValueError, match="有效期应为 1–31 天"):
            share.create_link(BASE, "progress", AS_OF, None, ANALYST, days=days)
    assert share.create_link(BASE, "progress", AS_OF, None, auth.User("root", "admin"), days=31)
    assert share.list_links().height == 1


def test_the_secret_may_come_from_the_environment(instance, monkeypatch):
    monkeypatch.setenv("KECHUANG_SECRET", "s" * 40)
    url, _ = share.create_link(BASE, "progress", AS_OF, None, ANALYST, now=T0)
    assert not (instance / "secret.key").exists()
    assert share.open_link(token_of(url), now=T0)
    monkeypatch.setenv("KECHUANG_SECRET", "t" * 40)
    with pytest.raises(share.ShareLinkError, match="^签名无效$"):
        share.open_link(token_of(url), now=T0)
    monkeypatch.setenv("KECHUANG_SECRET", "short")
    with pytest.raises(ValueError, match="KECHUANG_SECRET 太短"):
        share.create_link(BASE, "progress", AS_OF, None, ANALYST, now=T0)


def test_links_are_audited_when_created_opened_refused_and_revoked(instance):
    url, token_id = share.create_link(BASE, "progress", AS_OF, "长沙镇", ANALYST, now=T0)
    share.open_link(token_of(url), now=T0)
    share.open_link(
        token_of(url), now=T0, record=False
    )  # later reruns re-check without flooding the log
    share.revoke(token_id, by=ANALYST, now=T0)
    with pytest.raises(share.ShareLinkError):
        share.open_link(token_of(url), now=T0)
    frame = audit.read(path=instance / "audit.jsonl")
    assert frame.select("user_name", "role", "action", "scope").rows() == [
        ("analyst", "analyst", "share_created", "长沙镇"),
        (f"share:{token_id}", "share", "share_opened", "长沙镇"),
        ("analyst", "analyst", "share_revoked", "全县"),
        ("share:?", None, "share_rejected", "全县"),
    ]
    assert frame["detail"][0] == f"{token_id} 目标进度 · 长沙镇 · 截至2026年10月31日，有效 7 天"
    assert frame["detail"][3].startswith("已撤销（")
