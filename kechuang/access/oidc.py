"""The identity provider's word (统一身份认证, README): OIDC claims -> a role, and a User.

oidc.role_from_claims(st.user)      # -> "analyst", or None when no role of ours is granted
oidc.user_from_claims(st.user)      # -> auth.User (towns for a town officer), or None
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kechuang.access import auth

_RANK = ("admin", "analyst", "leader", "town")  # most privileged first


def role_from_claims(
    claims: Mapping | None, claim: str = "roles", prefix: str = "kechuang-"
) -> str | None:
    """The role named in an OIDC claim, e.g. {"roles": ["kechuang-analyst"]} -> "analyst"; None
    when none matches.

    The claim may be a list or a space/comma-separated string; values may carry `prefix` or not, or
    be
    the Chinese label (分析员). When several roles are granted, the most privileged wins."""
    if not claims:
        return None
    raw = claims.get(claim)
    values = re.split(r"[\s,]+", raw) if isinstance(raw, str) else list(raw or [])
    by_label = {label: role for role, label in auth.ROLES.items()}
    found = set()
    for value in values:
        text = str(value).strip()
        text = text[len(prefix) :] if prefix and text.lower().startswith(prefix.lower()) else text
        role = by_label.get(text) or text.lower()
        if role in auth.ROLES:
            found.add(role)
    return next((r for r in _RANK if r in found), None)


def user_from_claims(
    claims: Mapping | None, claim: str = "roles", towns_claim: str = "towns"
) -> auth.User | None:
    """A User from OIDC claims (name from preferred_username, email or sub); None without a known
    role."""
    role = role_from_claims(claims, claim)
    if role is None:
        return None
    raw = claims.get(towns_claim) or []
    towns = frozenset(
        t.strip()
        for t in (re.split(r"[\s,，、]+", raw) if isinstance(raw, str) else raw)
        if t and t.strip()
    )
    name = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "")
    return auth.User(
        name=name,
        role=role,
        towns=towns if role == "town" else frozenset(),
        display_name=str(claims.get("name") or ""),
    )
