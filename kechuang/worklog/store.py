"""Writing and reading the work records: each write one transaction, checked first, audited after.

    store.record_contact(engine, user, firm, kind="走访", on=date(...), service_type=..., note=...)
    store.correct_contact(engine, user, firm, entry_id, reason, kind=..., on=..., ...)
    store.record_stage(engine, user, firm, "candidates", "已走访", expected_seq=2)
                                                  # StaleStage unless the history is at seq 2
    store.assign_owner(engine, user, firm, "rd_zero", owner)        # owner: auth.User
    reading.entries(engine, user, uscc=..., since=...)  # contacts, stages, owners, oldest first

`firm` is a rules.Firm looked up in the warehouse's enterprises table (lists.find_firm). A refusal
(role, towns) is audited as worklog_refused and raised as rules.Refused; bad input raises
rules.WorklogError before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from kechuang.access import audit
from kechuang.state.schema import utcnow
from kechuang.worklog import rules
from kechuang.worklog.reading import _one, fmt_time
from kechuang.worklog.tables import worklog_contacts, worklog_owners, worklog_stages

BUSY_RETRIES = 60  # SQLite: a writer that finds the database locked waits and tries again


_writes = 0  # entries this process has written (kechuang/ui/cache.py looks again when it moves)


def writes() -> int:
    """How many times this process has written work records."""
    return _writes


def _run(engine: sa.Engine, work: Callable[[sa.Connection], object]):
    """work(conn) in one transaction; retried if SQLite still reports the database locked after its
    busy timeout (db.py begins every transaction IMMEDIATE, so writers queue for the lock)."""
    global _writes
    for attempt in range(BUSY_RETRIES):
        try:
            with engine.begin() as conn:
                done = work(conn)
            _writes += 1
            return done
        except OperationalError as err:
            if "locked" not in str(err).lower() or attempt == BUSY_RETRIES - 1:
                raise
            time.sleep(0.02 * (1 + attempt % 10))
    raise AssertionError("unreachable")


def _scope(firm: rules.Firm) -> list[str] | None:
    return [firm.town] if firm.town else None


def _refuse_if_not_allowed(engine: sa.Engine, user, firm: rules.Firm, what: str) -> None:
    try:
        rules.check_may_record(user, firm)
    except rules.Refused as err:
        audit.record(
            user, "worklog_refused", f"{what} {firm.uscc}：{err}", _scope(firm), engine=engine
        )
        raise


def _stamp(user, firm: rules.Firm, now: datetime | None) -> dict:
    return {
        "uscc": firm.uscc,
        "town": firm.town,
        "recorded_by": user.name,
        "recorded_role": user.role,
        "recorded_at": now or utcnow(),
    }


# -- contacts ------------------------------------------------------------------------------------


def record_contact(
    engine: sa.Engine,
    user,
    firm: rules.Firm,
    *,
    kind: str,
    on,
    service_type: str | None = None,
    note: str | None = None,
    next_step: str | None = None,
    due_on=None,
    list_id: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> dict:
    """Record a 走访/宣传/辅导 for the firm; returns the entry (as entries() lists it)."""
    _refuse_if_not_allowed(engine, user, firm, "记录走访服务")
    c = rules.contact(kind, on, today or rules.today(), service_type, note, next_step, due_on)
    if list_id is not None:
        rules.check_list(list_id)
    row = {**_contact_values(c), "list_id": list_id, **_stamp(user, firm, now)}

    def work(conn):
        return conn.execute(worklog_contacts.insert().values(row)).inserted_primary_key[0]

    entry_id = _run(engine, work)
    audit.record(
        user, "worklog_contact", _contact_detail(firm, c, entry_id), _scope(firm), engine=engine
    )
    return _one(engine, "contact", entry_id)


def correct_contact(
    engine: sa.Engine,
    user,
    firm: rules.Firm,
    entry_id: int,
    reason: str,
    *,
    kind: str,
    on,
    service_type: str | None = None,
    note: str | None = None,
    next_step: str | None = None,
    due_on=None,
    today: date | None = None,
    now: datetime | None = None,
) -> dict:
    """A new contact entry superseding `entry_id` (same firm), with the reason; both stay in the
    history."""
    _refuse_if_not_allowed(engine, user, firm, "更正走访记录")
    reason = rules.correction_reason(reason)
    c = rules.contact(kind, on, today or rules.today(), service_type, note, next_step, due_on)
    row = {**_contact_values(c), "supersedes_id": entry_id, "reason": reason}
    row.update(_stamp(user, firm, now))

    def work(conn):
        old = conn.execute(
            sa.select(worklog_contacts.c.uscc, worklog_contacts.c.list_id).where(
                worklog_contacts.c.id == entry_id
            )
        ).first()
        if old is None or old.uscc != firm.uscc:
            raise rules.WorklogError(f"企业 {firm.uscc} 没有编号为 {entry_id} 的走访记录")
        newer = _superseded_by(conn, entry_id)
        if newer is not None:
            raise rules.StaleStage(_changed_text("该记录", newer, "已被更正"))
        try:
            with conn.begin_nested():
                return conn.execute(
                    worklog_contacts.insert().values({**row, "list_id": old.list_id})
                ).inserted_primary_key[0]
        except IntegrityError:
            newer = _superseded_by(conn, entry_id)
            raise rules.StaleStage(_changed_text("该记录", newer, "已被更正")) from None

    new_id = _run(engine, work)
    detail = f"{_contact_detail(firm, c, new_id)}；更正第 {entry_id} 号：{reason}"
    audit.record(user, "worklog_correction", detail, _scope(firm), engine=engine)
    return _one(engine, "contact", new_id)


def _contact_values(c: rules.Contact) -> dict:
    return {
        "kind": c.kind,
        "contacted_on": c.on,
        "service_type": c.service_type,
        "note": c.note,
        "next_step": c.next_step,
        "due_on": c.due_on,
    }


def _contact_detail(firm: rules.Firm, c: rules.Contact, entry_id) -> str:
    parts = [f"第 {entry_id} 号", firm.uscc, firm.name, c.kind, c.on.isoformat()]
    return " ".join(parts + ([c.service_type] if c.service_type else []))


def _superseded_by(conn: sa.Connection, entry_id: int):
    return conn.execute(
        sa.select(worklog_contacts.c.recorded_by, worklog_contacts.c.recorded_at).where(
            worklog_contacts.c.supersedes_id == entry_id
        )
    ).first()


def _changed_text(what: str, row, verb: str, value: str | None = None) -> str:
    when = fmt_time(row.recorded_at) if row is not None else "刚才"
    who = row.recorded_by if row is not None else "他人"
    now = f"，现为“{value}”" if value else ""
    return (
        f"{what}已由 {who} 于 {when} {verb}{now}。"
        "请刷新后查看最新记录再操作（您这次填写的内容未保存）"
    )


# -- stages and owners: one history per (firm, list), appended at seq + 1 -------------------------


def _head(conn: sa.Connection, table: sa.Table, uscc: str, list_id: str):
    return conn.execute(
        sa.select(table)
        .where(table.c.uscc == uscc, table.c.list_id == list_id)
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()


def current_seq(engine: sa.Engine, table_name: str, uscc: str, list_id: str) -> int:
    """The seq a screen shows (0: nothing recorded yet); what it passes back as expected_seq."""
    table = worklog_stages if table_name == "stage" else worklog_owners
    with engine.connect() as conn:
        head = _head(conn, table, uscc, list_id)
    return head.seq if head is not None else 0


def _value(head) -> str | None:
    if head is None:
        return None
    m = head._mapping
    return m["stage"] if "stage" in m else m["owner"]


def _append(engine, table, firm, list_id, values, expected_seq, what, check=None):
    """Insert values at the head's seq + 1, unless the head moved past expected_seq (StaleStage)."""

    def work(conn):
        head = _head(conn, table, firm.uscc, list_id)
        seq = head.seq if head is not None else 0
        if expected_seq is not None and seq != expected_seq:
            raise rules.StaleStage(_changed_text(what, head, "更改", _value(head)))
        if check is not None:
            check(head)
        try:
            with conn.begin_nested():
                row = {**values, "list_id": list_id, "seq": seq + 1}
                return conn.execute(table.insert().values(row)).inserted_primary_key[0]
        except IntegrityError:  # another writer took seq + 1 between our read and our insert
            head = _head(conn, table, firm.uscc, list_id)
            raise rules.StaleStage(_changed_text(what, head, "更改", _value(head))) from None

    return _run(engine, work)


def record_stage(
    engine: sa.Engine,
    user,
    firm: rules.Firm,
    list_id: str,
    stage: str,
    reason: str | None = None,
    *,
    expected_seq: int | None = None,
    correction: bool = False,
    now: datetime | None = None,
) -> dict:
    """Move the firm to a stage on a list. expected_seq: the seq the user's screen showed (None: the
    current one, as the CLI does). correction: this entry corrects a mistaken previous one (reason
    needed)."""
    _refuse_if_not_allowed(engine, user, firm, "记录培育阶段")
    rules.check_list(list_id, staged=True)
    what = f"该企业在{rules.LISTS[list_id]}清单上的阶段"
    if correction:
        reason = rules.correction_reason(reason)
    checked: dict = {}

    def check(head):
        current = head.stage if head is not None else rules.initial_stage(list_id)
        checked["stage"], checked["reason"] = rules.stage(list_id, stage, reason, current)
        if correction and head is None:
            raise rules.WorklogError("尚无阶段记录，无需更正")
        checked["from"] = current

    values = {"stage": stage, "reason": reason, "is_correction": int(correction)}
    values.update(_stamp(user, firm, now))
    values["stage"] = (stage or "").strip()
    values["reason"] = (reason or "").strip() or None
    entry_id = _append(engine, worklog_stages, firm, list_id, values, expected_seq, what, check)
    detail = (
        f"第 {entry_id} 号 {firm.uscc} {firm.name} {rules.LISTS[list_id]}："
        f"{checked['from']} → {checked['stage']}"
        + (f"（{checked['reason']}）" if checked["reason"] else "")
        + ("（更正）" if correction else "")
    )
    audit.record(user, "worklog_stage", detail, _scope(firm), engine=engine)
    return _one(engine, "stage", entry_id)


def assign_owner(
    engine: sa.Engine,
    user,
    firm: rules.Firm,
    list_id: str,
    owner,
    *,
    expected_seq: int | None = None,
    now: datetime | None = None,
) -> dict:
    """Make an account the firm's 责任人 on a list (owner: auth.User or None when the name is
    unknown)."""
    _refuse_if_not_allowed(engine, user, firm, "指定责任人")
    rules.check_list(list_id)
    rules.check_owner(owner, firm)

    def check(head):
        if head is not None and head.owner == owner.name:
            raise rules.WorklogError(
                f"{owner.name} 已是该企业在{rules.LISTS[list_id]}清单上的责任人"
            )

    values = {"owner": owner.name, **_stamp(user, firm, now)}
    what = f"该企业在{rules.LISTS[list_id]}清单上的责任人"
    entry_id = _append(engine, worklog_owners, firm, list_id, values, expected_seq, what, check)
    detail = f"第 {entry_id} 号 {firm.uscc} {firm.name} {rules.LISTS[list_id]}：责任人 {owner.name}"
    audit.record(user, "worklog_owner", detail, _scope(firm), engine=engine)
    return _one(engine, "owner", entry_id)
