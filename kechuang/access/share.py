"""Share links for leadership: a signed, expiring, revocable, read-only link to one aggregate view.

    url, token_id = share.create_link(base_url, "progress", as_of, town, created_by=user, days=7)
    view = share.open_link(token)  # -> ShareView, or ShareLinkError("已过期"/"已撤销"/"签名无效")
    share.list_links() -> polars DataFrame  # every link with its status, newest first
    share.revoke(token_id, by=user)

The URL is `{base_url}/?share={token}` (the token names the page). The token is the view (page,
as-of date, town, expiry) signed with HMAC (itsdangerous) under the secret from env
KECHUANG_SECRET, else `secret.key` in auth.instance_dir(), created with mode 0600 on first use.
Every link is recorded in `share_links.json` there (also the revocation list): a token opens only
while its record exists, is not revoked and has not expired — deleting the file revokes every link.

The visitor has no account: `view.user()` is a User of role auth.SHARE_ROLE (aggregate pages only:
no enterprise files, no named tax figures, no firm lists or downloads — see auth.PERMISSIONS),
scoped to the link's town. Only SHAREABLE_PAGES can be shared. The app calls `open_link(token)`
once when the visitor arrives (audited) and `open_link(token, record=False)` on later reruns, so
revocation and expiry take effect at once; it pins as-of date and town to the view's.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from itsdangerous import BadData, URLSafeSerializer

from kechuang import settings
from kechuang.access import audit, auth
from kechuang.zh import fmt

if TYPE_CHECKING:
    import polars as pl

SHAREABLE_PAGES: dict[str, str] = {
    "overview": "总览",
    "progress": "目标进度",
}  # url path -> title; aggregates only
DEFAULT_DAYS = 7
MAX_DAYS = 31
STATUS_LABELS = {"active": "有效", "expired": "已过期", "revoked": "已撤销"}
_SALT = "kechuang.share.v1"


class ShareLinkError(Exception):
    """A link that does not open: str(err) is "已过期", "已撤销" or "签名无效"; err.reason the
    English code."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ShareView:
    token_id: str
    page: str  # url path, a key of SHAREABLE_PAGES
    as_of: date
    town: str | None  # None = whole county
    created_by: str
    created_at: datetime
    expires_at: datetime

    def user(self) -> auth.User:
        """The visitor's effective identity: role share, scoped to the link's town."""
        return auth.User(
            name=f"share:{self.token_id}",
            role=auth.SHARE_ROLE,
            towns=frozenset({self.town}) if self.town else frozenset(),
            display_name="分享链接访客",
        )

    @property
    def title(self) -> str:
        """'目标进度 · 长沙镇 · 截至2026年10月31日'."""
        return (
            f"{SHAREABLE_PAGES.get(self.page, self.page)} · {self.town or '全县'} · "
            f"截至{fmt.cn_date(self.as_of)}"
        )


def links_path(directory: Path | None = None) -> Path:
    return Path(directory or auth.instance_dir()) / "share_links.json"


def _secret(directory: Path | None = None) -> bytes:
    """env KECHUANG_SECRET, else secret.key in the instance folder (created once, mode 0600)."""
    env = settings.current().secret  # checked there: at least settings.MIN_SECRET characters
    if env:
        return env.encode()
    path = Path(directory or auth.instance_dir()) / "secret.key"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )  # exclusive: two first uses cannot race
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48))
    return path.read_bytes().strip()


def _serializer(directory: Path | None) -> URLSafeSerializer:
    return URLSafeSerializer(_secret(directory), salt=_SALT)


def _records(directory: Path | None) -> dict[str, dict]:
    doc = auth.read_json(links_path(directory), {"links": {}}, "分享链接记录")
    return doc.get("links", {}) if isinstance(doc, dict) else {}


def create_link(
    base_url: str,
    page: str,
    as_of: date,
    town: str | None,
    created_by: auth.User | str,
    days: int = DEFAULT_DAYS,
    *,
    now: datetime | None = None,
    directory: Path | None = None,
) -> tuple[str, str]:
    """(url, token_id) of a new link to one view, valid for `days` days (1–31). Audited.

    ValueError for a page outside SHAREABLE_PAGES or bad days; PermissionError when a User lacks
    create_share_link."""
    if isinstance(created_by, auth.User) and not auth.can(created_by, "create_share_link"):
        raise PermissionError(
            f"{auth.ROLE_LABELS.get(created_by.role, created_by.role)}不能创建分享链接"
        )
    if page not in SHAREABLE_PAGES:
        raise ValueError(
            f"该页面不能分享：{page!r}；可分享：" + "、".join(SHAREABLE_PAGES.values())
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValueError(f"有效期应为 1–{MAX_DAYS} 天，现为 {days!r}")
    now = _aware(now)
    token_id = secrets.token_urlsafe(9)
    expires = (now + timedelta(days=days)).replace(microsecond=0)  # the token carries whole seconds
    payload = {
        "i": token_id,
        "p": page,
        "d": as_of.isoformat(),
        "t": town or None,
        "e": int(expires.timestamp()),
    }
    token = _serializer(directory).dumps(payload)
    who = created_by.name if isinstance(created_by, auth.User) else str(created_by)
    with auth.locked(links_path(directory)):
        records = _records(directory)
        records[token_id] = {
            "page": page,
            "as_of": as_of.isoformat(),
            "town": town or None,
            "created_by": who,
            "created_at": _iso(now),
            "expires_at": _iso(expires),
            "revoked_at": None,
            "revoked_by": None,
        }
        auth.write_private_json(links_path(directory), {"version": 1, "links": records})
    view = _view(token_id, records[token_id])
    audit.record(
        created_by,
        "share_created",
        f"{token_id} {view.title}，有效 {days} 天",
        view.user().towns or None,
        path=_audit_path(directory),
        now=now,
    )
    # The root URL, whatever the page: the app serves a share visitor only the view's page, as its
    # default page.
    return f"{base_url.rstrip('/')}/?share={token}", token_id


def open_link(
    token: str, *, now: datetime | None = None, directory: Path | None = None, record: bool = True
) -> ShareView:
    """The view a valid token opens; ShareLinkError("签名无效" | "已撤销" | "已过期") otherwise.

    Audited when `record`."""
    now = _aware(now)
    try:
        view = _check(token, now, directory)
    except ShareLinkError as err:
        if record:
            audit.record(
                "share:?",
                "share_rejected",
                f"{err}（{str(token)[:12]}…）",
                None,
                path=_audit_path(directory),
                now=now,
            )
        raise
    if record:
        audit.record(
            view.user(),
            "share_opened",
            f"{view.token_id} {view.title}，创建人 {view.created_by}",
            path=_audit_path(directory),
            now=now,
        )
    return view


def _check(token: str, now: datetime, directory: Path | None) -> ShareView:
    try:
        payload = _serializer(directory).loads(str(token or ""))  # HMAC compared in constant time
        token_id, page, as_of, town, expires = (
            payload["i"],
            payload["p"],
            payload["d"],
            payload["t"],
            payload["e"],
        )
    except (BadData, KeyError, TypeError):
        raise ShareLinkError("签名无效", "invalid") from None
    rec = _records(directory).get(token_id)
    if rec is None or rec.get("revoked_at"):
        raise ShareLinkError(
            "已撤销", "revoked"
        )  # unrecorded = its record was deleted, i.e. revoked
    if (
        rec["page"],
        rec["as_of"],
        rec["town"],
        int(datetime.fromisoformat(rec["expires_at"]).timestamp()),
    ) != (page, as_of, town, expires):
        raise ShareLinkError("签名无效", "invalid")
    if now.timestamp() >= expires:
        raise ShareLinkError("已过期", "expired")
    return _view(token_id, rec)


def revoke(
    token_id: str,
    *,
    by: auth.User | str = "",
    now: datetime | None = None,
    directory: Path | None = None,
) -> bool:
    """Revoke a link (it stops opening at once); False when already revoked, KeyError when unknown.
    Audited."""
    now = _aware(now)
    with auth.locked(links_path(directory)):
        records = _records(directory)
        if token_id not in records:
            raise KeyError(f"未找到分享链接 {token_id}")
        if records[token_id].get("revoked_at"):
            return False
        who = by.name if isinstance(by, auth.User) else str(by)
        records[token_id].update(revoked_at=_iso(now), revoked_by=who)
        auth.write_private_json(links_path(directory), {"version": 1, "links": records})
    audit.record(
        by,
        "share_revoked",
        f"{token_id} {_view(token_id, records[token_id]).title}",
        path=_audit_path(directory),
        now=now,
    )
    return True


def list_links(*, now: datetime | None = None, directory: Path | None = None) -> pl.DataFrame:
    """Every recorded link, newest first: token_id, page, page_label, as_of, town, created_by,
    created_at, expires_at (Beijing time), status (active/expired/revoked), status_label,
    revoked_by."""
    import polars as pl  # here, not at the top: the login page checks links without loading polars

    now = _aware(now)
    rows = []
    for token_id, rec in _records(directory).items():
        expires = datetime.fromisoformat(rec["expires_at"])
        status = "revoked" if rec.get("revoked_at") else "expired" if now >= expires else "active"
        rows.append(
            {
                "token_id": token_id,
                "page": rec["page"],
                "page_label": SHAREABLE_PAGES.get(rec["page"], rec["page"]),
                "as_of": date.fromisoformat(rec["as_of"]),
                "town": rec["town"] or "全县",
                "created_by": rec["created_by"],
                "created_at": _beijing(rec["created_at"]),
                "expires_at": _beijing(rec["expires_at"]),
                "status": status,
                "status_label": STATUS_LABELS[status],
                "revoked_by": rec.get("revoked_by"),
            }
        )
    schema = {
        "token_id": pl.String,
        "page": pl.String,
        "page_label": pl.String,
        "as_of": pl.Date,
        "town": pl.String,
        "created_by": pl.String,
        "created_at": pl.Datetime("us"),
        "expires_at": pl.Datetime("us"),
        "status": pl.String,
        "status_label": pl.String,
        "revoked_by": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).sort("created_at", descending=True)


def _view(token_id: str, rec: dict) -> ShareView:
    return ShareView(
        token_id=token_id,
        page=rec["page"],
        as_of=date.fromisoformat(rec["as_of"]),
        town=rec["town"],
        created_by=rec["created_by"],
        created_at=datetime.fromisoformat(rec["created_at"]),
        expires_at=datetime.fromisoformat(rec["expires_at"]),
    )


def _audit_path(directory: Path | None) -> Path:
    return audit.default_path(directory)


# The clock rules are auth's: one definition of "now" (timezone-aware) and of stored timestamps.
_aware = auth._now
_iso = auth._iso


def _beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(audit.BEIJING).replace(tzinfo=None)
