"""Share links for leadership: a signed, expiring, revocable, read-only link to one aggregate view.

    url, token_id = share.create_link(base_url, "progress", as_of, town, created_by=user, days=7)
    view = share.open_link(token)  # -> ShareView, or ShareLinkError("已过期"/"已撤销"/"签名无效")
    share.list_links() -> polars DataFrame  # every link with its status, newest first
    share.revoke(token_id, by=user)

The URL is `{base_url}/?share={token}` (the token names the page). The token is the view (page,
as-of date, town, expiry) signed with HMAC (itsdangerous) under the secret from env
KECHUANG_SECRET, else `secret.key` in auth.instance_dir(), created with mode 0600 on first use.
Every link is recorded in the state
database's share_links table (also the revocation list): a token opens only while its record
exists, is not revoked and has not expired. (`directory` = the instance folder, default
auth.instance_dir(); a share_links.json of before the database is imported once from there.)

The visitor has no account: `view.user()` is a User of role auth.SHARE_ROLE (aggregate pages only:
no enterprise files, no named tax figures, no firm lists or downloads — see auth.PERMISSIONS),
scoped to the link's town. Only SHAREABLE_PAGES can be shared. The app calls
`open_link(token)` once when the visitor arrives (audited) and `open_link(token, record=False)` on
later reruns, so revocation and expiry take effect at once; it pins as-of date and town to the
view's.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from itsdangerous import BadData, URLSafeSerializer

from kechuang import settings
from kechuang.access import audit, auth
from kechuang.state import schema
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
    """Where the links were kept before the state database (imported once from there)."""
    return Path(directory or auth.instance_dir()) / "share_links.json"


def _store(directory: Path | None):
    folder = Path(directory or auth.instance_dir())
    users = auth.users_path()
    return auth.store(users if users.parent == folder else folder / "users.json")


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


def _row(directory: Path | None, token_id: str):
    t = schema.share_links
    with _store(directory).connect() as conn:
        return conn.execute(t.select().where(t.c.token_id == token_id)).first()


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
    with _store(directory).begin() as conn:
        conn.execute(
            schema.share_links.insert().values(
                token_id=token_id,
                page=page,
                as_of=as_of,
                town=town or None,
                created_by=who[:64],
                created_at=now,
                expires_at=expires,
            )
        )
    view = _view(_row(directory, token_id))
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
                f"{err}（{refused_token_text(token)}）",
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


def refused_token_text(token) -> str:
    """How the audit log names a refused token: its start and a digest of all of it, so attempts
    with different spellings are told apart without keeping the token whole."""
    text = str(token or "")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{text[:12]}…，{len(text)} 字符，摘要 {digest}"


def _check(token: str, now: datetime, directory: Path | None) -> ShareView:
    serializer = _serializer(directory)
    text = str(token or "")
    try:
        payload = serializer.loads(text)  # HMAC compared in constant time
        # Only the spelling create_link wrote: base64 decoding forgives padding, unused bits and
        # stray characters, and each such variant would otherwise open (and be audited) anew.
        if not hmac.compare_digest(serializer.dumps(payload).encode(), text.encode("utf-8")):
            raise BadData("not the canonical spelling")
        token_id, page, as_of, town, expires = (
            payload["i"],
            payload["p"],
            payload["d"],
            payload["t"],
            payload["e"],
        )
    except (BadData, KeyError, TypeError):
        raise ShareLinkError("签名无效", "invalid") from None
    rec = _row(directory, str(token_id))
    if rec is None or rec.revoked_at is not None:
        # unrecorded = its record was deleted, i.e. revoked
        raise ShareLinkError("已撤销", "revoked")
    recorded = (rec.page, rec.as_of.isoformat(), rec.town, int(rec.expires_at.timestamp()))
    if recorded != (page, as_of, town, expires):
        raise ShareLinkError("签名无效", "invalid")
    if now.timestamp() >= expires:
        raise ShareLinkError("已过期", "expired")
    return _view(rec)


def revoke(
    token_id: str,
    *,
    by: auth.User | str = "",
    now: datetime | None = None,
    directory: Path | None = None,
) -> bool:
    """Revoke a link (it stops opening at once); False when already revoked, KeyError when
    unknown. Audited."""
    now = _aware(now)
    t = schema.share_links
    who = by.name if isinstance(by, auth.User) else str(by)
    with _store(directory).begin() as conn:
        rec = conn.execute(t.select().where(t.c.token_id == token_id)).first()
        if rec is None:
            raise KeyError(f"未找到分享链接 {token_id}")
        if rec.revoked_at is not None:
            return False
        conn.execute(
            t.update().where(t.c.token_id == token_id).values(revoked_at=now, revoked_by=who[:64])
        )
    audit.record(
        by,
        "share_revoked",
        f"{token_id} {_view(rec).title}",
        path=_audit_path(directory),
        now=now,
    )
    return True


def list_links(*, now: datetime | None = None, directory: Path | None = None) -> pl.DataFrame:
    """Every recorded link, newest first: token_id, page, page_label, as_of, town, created_by,
    created_at,
    expires_at (Beijing time), status (active/expired/revoked), status_label, revoked_by."""
    import polars as pl  # here, not at the top: the login page checks links without loading polars

    now = _aware(now)
    rows = []
    with _store(directory).connect() as conn:
        records = conn.execute(schema.share_links.select()).all()
    for rec in records:
        status = (
            "revoked"
            if rec.revoked_at is not None
            else "expired"
            if now >= rec.expires_at
            else "active"
        )
        rows.append(
            {
                "token_id": rec.token_id,
                "page": rec.page,
                "page_label": SHAREABLE_PAGES.get(rec.page, rec.page),
                "as_of": rec.as_of,
                "town": rec.town or "全县",
                "created_by": rec.created_by,
                "created_at": _beijing(rec.created_at),
                "expires_at": _beijing(rec.expires_at),
                "status": status,
                "status_label": STATUS_LABELS[status],
                "revoked_by": rec.revoked_by,
            }
        )
    columns = {
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
    return pl.DataFrame(rows, schema=columns).sort("created_at", descending=True)


def _view(rec) -> ShareView:
    return ShareView(
        token_id=rec.token_id,
        page=rec.page,
        as_of=rec.as_of,
        town=rec.town,
        created_by=rec.created_by,
        created_at=rec.created_at,
        expires_at=rec.expires_at,
    )


def _audit_path(directory: Path | None) -> Path:
    return audit.default_path(directory)


# The clock rules are auth's: one definition of "now" (timezone-aware) and of stored timestamps.
_aware = auth._now


def _beijing(at: datetime) -> datetime:
    return at.astimezone(audit.BEIJING).replace(tzinfo=None)
