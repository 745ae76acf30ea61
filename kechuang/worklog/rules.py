"""The work records' rules (跟踪培育台账): kinds, lists, stages, who may record, valid input.

No database and no Streamlit here: the store (store.py) calls these before it writes, the pages and
the CLI show their messages. Every refusal is a WorklogError whose message is one Chinese sentence
saying what is wrong and where; nothing is written when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from kechuang.engine import contract

KINDS = ("走访", "宣传", "辅导")  # the plan's "走访+宣传+辅导"
SERVICE_TYPES: tuple[str, ...] = contract.CATEGORIES[("service_visits", "service_type")]
MAX_NOTE = 500
MAX_REASON = 200

# The lists the dashboard finds firms for; each firm on one of them can get an owner (责任人).
LISTS: dict[str, str] = {
    "rd_zero": "研发活动清零",
    "candidates": "高企培育",
    "gazelle": "瞪羚/独角兽培育",
    "key_enterprises": "重点企业一企一策",
    "iur": "产学研待落地",
}
# The lists with stages: the first stage is where every firm on the list starts (never recorded);
# the stages that need a reason say why the work stops.
STAGES: dict[str, tuple[str, ...]] = {
    "candidates": ("待对接", "已走访", "辅导中", "拟申报", "已申报", "已认定", "暂缓"),
    "rd_zero": ("未对接", "已对接", "已归集研发费用", "已建研发机构", "企业无意愿"),
}
NEEDS_REASON = {"暂缓", "企业无意愿"}
RECORDING_ROLES = {"admin", "analyst", "town"}  # leaders and share-link visitors only read
ROLE_NAMES = {"leader": "领导", "share": "分享链接访客"}


def today() -> date:
    """Today in Beijing time: a record made at 07:00 in Rudong is dated that day, whatever the
    server's zone."""
    return datetime.now(timezone(timedelta(hours=8))).date()


class WorklogError(ValueError):
    """Input the user must fix; the message says what and where (page: st.error; CLI: exit 2)."""


class Refused(WorklogError):
    """The user's role or towns do not allow this record (audited as worklog_refused)."""


class StaleStage(WorklogError):
    """The stage changed since the user's screen was drawn; the message names who changed it and
    when."""


@dataclass(frozen=True)
class Firm:
    """A firm as the warehouse's enterprises table knows it (its town decides who may record for
    it)."""

    uscc: str
    name: str
    town: str | None


def initial_stage(list_id: str) -> str:
    return STAGES[list_id][0]


def check_may_record(user, firm: Firm) -> None:
    """Refused unless the user may record for the firm: analysts and administrators anywhere, town
    officers in their towns; leaders and share-link visitors never."""
    role = getattr(user, "role", None)
    if role not in RECORDING_ROLES:
        who = ROLE_NAMES.get(role or "", "未登录用户")
        raise Refused(f"{who}只能查看工作记录，不能新增或更改")
    if role == "town" and firm.town not in user.towns:
        mine = "、".join(sorted(user.towns)) or "无"
        raise Refused(
            f"企业 {firm.name}（{firm.uscc}）属于{firm.town or '未知镇区'}，"
            f"不在本账户所辖镇区（{mine}），不能为其记录"
        )


def check_owner(owner, firm: Firm) -> None:
    """An owner (责任人) must be an account that may record for the firm."""
    if owner is None:
        raise WorklogError("责任人账户不存在")
    if owner.role not in RECORDING_ROLES or (owner.role == "town" and firm.town not in owner.towns):
        raise WorklogError(
            f"账户 {owner.name} 无权为{firm.town or '该'}镇区的企业记录工作，不能担任责任人"
        )


def check_list(list_id: str, staged: bool = False) -> str:
    known = STAGES if staged else LISTS
    if list_id not in known:
        names = "、".join(f"{k}（{LISTS[k]}）" for k in known)
        raise WorklogError(f"清单有误：{list_id!r}，应为 {names}")
    return list_id


def _text(value: str | None, what: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise WorklogError(f"{what}过长：{len(text)} 字，最多 {limit} 字")
    return text or None


def parse_date(value, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise WorklogError(f"{what}格式有误：{value!r}，应为 YYYY-MM-DD，例如 2026-10-31") from None


@dataclass(frozen=True)
class Contact:
    """A validated contact: kind, date, service type, note, next step and its due date."""

    kind: str
    on: date
    service_type: str | None
    note: str | None
    next_step: str | None
    due_on: date | None


def contact(
    kind: str,
    on,
    today: date,
    service_type: str | None = None,
    note: str | None = None,
    next_step: str | None = None,
    due_on=None,
) -> Contact:
    """Validate a contact's fields (the date not after today; a next step and its due date
    together)."""
    kind = (kind or "").strip()
    if kind not in KINDS:
        raise WorklogError(f"记录类别有误：{kind!r}，应为 {'、'.join(KINDS)}")
    on = parse_date(on, "日期")
    if on > today:
        raise WorklogError(f"日期 {on.isoformat()} 晚于今天（{today.isoformat()}），不能预先记录")
    service_type = (service_type or "").strip() or None
    if service_type is not None and service_type not in SERVICE_TYPES:
        raise WorklogError(f"服务类别有误：{service_type!r}，应为 {'、'.join(SERVICE_TYPES)}")
    note = _text(note, "备注", MAX_NOTE)
    next_step = _text(next_step, "下一步", MAX_NOTE)
    due = parse_date(due_on, "下一步期限") if due_on not in (None, "") else None
    if next_step and due is None:
        raise WorklogError("填写了下一步，请同时给出期限（YYYY-MM-DD）")
    if due is not None and not next_step:
        raise WorklogError("给出了下一步期限，请同时写明下一步做什么")
    if due is not None and due < on:
        raise WorklogError(f"下一步期限 {due.isoformat()} 早于本次日期 {on.isoformat()}")
    return Contact(kind, on, service_type, note, next_step, due)


def stage(list_id: str, value: str, reason: str | None, current: str) -> tuple[str, str | None]:
    """Validate a stage for a list: one of its stages, not the current one, a reason where it needs
    one."""
    check_list(list_id, staged=True)
    value = (value or "").strip()
    allowed = STAGES[list_id]
    if value not in allowed:
        raise WorklogError(f"{LISTS[list_id]}的阶段有误：{value!r}，应为 {'、'.join(allowed)}")
    reason = _text(reason, "原因", MAX_REASON)
    if value in NEEDS_REASON and not reason:
        raise WorklogError(f"阶段“{value}”须写明原因")
    if value == current:
        raise WorklogError(f"该企业在{LISTS[list_id]}清单上已是“{value}”阶段")
    return value, reason


def correction_reason(reason: str | None) -> str:
    text = _text(reason, "更正原因", MAX_REASON)
    if not text:
        raise WorklogError("更正须写明原因")
    return text
