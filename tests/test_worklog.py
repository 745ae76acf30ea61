"""The work records (kechuang/worklog) on SQLite and PostgreSQL: the metric, scope and role
refusals, bad input, the stale-stage conflict, corrections, append-only tables, and 20 concurrent
writer processes."""

from __future__ import annotations

import multiprocessing
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import worklog_writer
from fixtures import AS_OF
from worklog_fixture import (
    ADMIN,
    ANALYST,
    CHANGSHA,
    F1,
    F2,
    F3,
    JUEGANG,
    LEADER,
    SHARE,
    VISIT_1,
    county,
)

from kechuang.engine import metrics
from kechuang.engine.warehouse import Warehouse
from kechuang.state import db
from kechuang.state.schema import audit_log
from kechuang.worklog import bridge, reading, rules, store
from kechuang.worklog import county as county_mod
from kechuang.worklog.lists import MEMBER_SCHEMA
from kechuang.worklog.tables import worklog_contacts, worklog_stages

TODAY = date(2026, 11, 5)
NOW = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def audit_file(state_url):
    """The state database the records and their audit events go to (one transaction apart)."""
    return db.engine(state_url)


def audited(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings().all()
    return [{"action": r["action"], "user": r["user_name"], "detail": r["detail"]} for r in rows]


def n_rows(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def served(wh, engine) -> int:
    bridge.attach(wh, engine)
    return metrics.metric_actual(wh, "key_enterprises_served", AS_OF)


def test_a_recorded_visit_counts_once_and_a_duplicate_of_a_file_row_not_at_all(
    state_url, tmp_path, audit_file
):
    engine = db.engine(state_url)
    wh = Warehouse(county(tmp_path / "data"))
    assert served(wh, engine) == 2  # firms 1 and 3 from the file
    written = store.writes()
    store.record_contact(
        engine, ANALYST, F2, kind="走访", on="2026-05-06", service_type="高企申报辅导", today=TODAY
    )
    assert served(wh, engine) == 3
    assert store.writes() == written + 1  # pages look at the records' version again at once
    # The file's own visit of firm 1 recorded again (same day and type), and a second record of firm
    # 2's visit: the firm count stays, and so does the number of visits the 科小二 page lists.
    store.record_contact(
        engine, ANALYST, F1, kind="走访", on=VISIT_1, service_type="政策落实", today=TODAY
    )
    store.record_contact(
        engine, CHANGSHA, F2, kind="辅导", on="2026-05-06", service_type="高企申报辅导", today=TODAY
    )
    assert served(wh, engine) == 3
    visits = wh.query("programme_service_visits", as_of=AS_OF)
    assert visits.height == 3  # v1, v2 and one for firm 2's 6 May
    assert visits.filter(visits["uscc"] == F2.uscc)["team"].to_list() == ["驾驶舱记录"]
    # A record without a service type on a day the file has a visit is that visit.
    store.record_contact(engine, ANALYST, F3, kind="宣传", on="2026-04-01", today=TODAY)
    assert wh.query("programme_service_visits", as_of=AS_OF).height == 3
    # Town scope: a 长沙镇 warehouse sees only firm 2's contact.
    town_wh = Warehouse(tmp_path / "data", scope={"长沙镇"})
    assert served(town_wh, engine) == 1


def test_a_corrected_contact_counts_once_as_corrected_and_the_history_keeps_both(
    state_url, tmp_path, audit_file
):
    engine = db.engine(state_url)
    wh = Warehouse(county(tmp_path / "data"))
    first = store.record_contact(engine, ANALYST, F2, kind="走访", on="2025-12-30", today=TODAY)
    assert served(wh, engine) == 2  # last year: does not count for 2026
    fixed = store.correct_contact(
        engine, ANALYST, F2, first["id"], "日期录错", kind="走访", on="2026-01-02", today=TODAY
    )
    assert served(wh, engine) == 3
    history = reading.entries(engine, ANALYST, uscc=F2.uscc)
    assert [(e["id"], e["on"], e["superseded_by"], e["supersedes"]) for e in history] == [
        (first["id"], date(2025, 12, 30), fixed["id"], None),
        (fixed["id"], date(2026, 1, 2), None, first["id"]),
    ]
    with pytest.raises(rules.StaleStage, match="已由 analyst 于 .* 已被更正"):
        store.correct_contact(
            engine, ADMIN, F2, first["id"], "再改", kind="走访", on="2026-01-03", today=TODAY
        )
    with pytest.raises(rules.WorklogError, match="更正须写明原因"):
        store.correct_contact(
            engine, ADMIN, F2, fixed["id"], " ", kind="走访", on="2026-01-03", today=TODAY
        )
    assert n_rows(engine, worklog_contacts) == 2
    assert [a["action"] for a in audited(audit_file)] == ["worklog_contact", "worklog_correction"]


def test_town_officers_record_only_in_their_towns_and_leaders_and_visitors_only_read(
    state_url, audit_file
):
    engine = db.engine(state_url)
    for user, firm, message in (
        (CHANGSHA, F1, "属于掘港街道，不在本账户所辖镇区（长沙镇）"),
        (LEADER, F2, "领导只能查看工作记录"),
        (SHARE, F2, "分享链接访客只能查看工作记录"),
        (None, F2, "未登录用户只能查看工作记录"),
    ):
        with pytest.raises(rules.Refused, match=message):
            store.record_contact(engine, user, firm, kind="走访", on="2026-05-06", today=TODAY)
    with pytest.raises(rules.Refused):
        store.record_stage(engine, CHANGSHA, F1, "rd_zero", "已对接")
    with pytest.raises(rules.Refused):
        store.assign_owner(engine, LEADER, F1, "rd_zero", JUEGANG)
    assert n_rows(engine, worklog_contacts) == n_rows(engine, worklog_stages) == 0
    refusals = audited(audit_file)
    assert [(a["action"], a["user"]) for a in refusals] == [
        ("worklog_refused", "changsha"),
        ("worklog_refused", "leader"),
        ("worklog_refused", "share"),
        ("worklog_refused", ""),
        ("worklog_refused", "changsha"),
        ("worklog_refused", "leader"),
    ]
    assert F1.uscc in refusals[0]["detail"]
    # Allowed: the officer in their town, analysts and administrators anywhere.
    store.record_contact(engine, CHANGSHA, F2, kind="宣传", on="2026-05-06", today=TODAY)
    store.record_contact(engine, JUEGANG, F1, kind="辅导", on="2026-05-07", today=TODAY)
    store.record_stage(engine, ADMIN, F2, "rd_zero", "已对接")
    # Reading: town officers see their towns' entries, leaders all, share visitors none.
    assert {e["uscc"] for e in reading.entries(engine, CHANGSHA)} == {F2.uscc}
    assert len(reading.entries(engine, LEADER)) == 3
    with pytest.raises(rules.Refused):
        reading.entries(engine, SHARE)
    # An owner must be able to act for the firm.
    with pytest.raises(rules.WorklogError, match="changsha 无权为掘港街道"):
        store.assign_owner(engine, ANALYST, F1, "rd_zero", CHANGSHA)
    with pytest.raises(rules.WorklogError, match="不能担任责任人"):
        store.assign_owner(engine, ANALYST, F1, "rd_zero", LEADER)
    store.assign_owner(engine, ANALYST, F1, "rd_zero", JUEGANG)
    assert reading.current_owners(engine)["owner"].to_list() == ["juegang"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "电话"}, "记录类别有误：'电话'，应为 走访、宣传、辅导"),
        ({"on": "2026-11-06"}, "日期 2026-11-06 晚于今天（2026-11-05），不能预先记录"),
        ({"on": "2026/11/01"}, "日期格式有误：'2026/11/01'，应为 YYYY-MM-DD"),
        ({"service_type": "喝茶"}, "服务类别有误：'喝茶'"),
        ({"note": "字" * 501}, "备注过长：501 字，最多 500 字"),
        ({"next_step": "再访"}, "填写了下一步，请同时给出期限"),
        ({"due_on": "2026-12-01"}, "给出了下一步期限，请同时写明下一步做什么"),
        (
            {"next_step": "再访", "due_on": "2026-10-01"},
            "下一步期限 2026-10-01 早于本次日期 2026-11-05",
        ),
    ],
)
def test_bad_contact_input_gets_one_chinese_message_and_writes_nothing(fields, message, tmp_path):
    engine = db.engine(f"sqlite:///{tmp_path / 's.db'}")
    values = {"kind": "走访", "on": "2026-11-05", **fields}
    with pytest.raises(rules.WorklogError) as err:
        store.record_contact(engine, ANALYST, F1, today=TODAY, **values)
    assert message in str(err.value)
    assert n_rows(engine, worklog_contacts) == 0
    assert (
        rules.contact("走访", "2026-11-05", TODAY, note="字" * 500).note == "字" * 500
    )  # the boundary


@pytest.mark.parametrize(
    ("list_id", "stage", "reason", "message"),
    [
        ("gazelle", "已走访", None, "清单有误：'gazelle'"),
        ("candidates", "已对接", None, "高企培育的阶段有误：'已对接'"),
        ("candidates", "暂缓", " ", "阶段“暂缓”须写明原因"),
        ("rd_zero", "企业无意愿", None, "阶段“企业无意愿”须写明原因"),
        ("rd_zero", "未对接", None, "已是“未对接”阶段"),
    ],
)
def test_bad_stage_input(list_id, stage, reason, message, tmp_path):
    engine = db.engine(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(rules.WorklogError, match=message):
        store.record_stage(engine, ANALYST, F1, list_id, stage, reason)
    assert n_rows(engine, worklog_stages) == 0


def test_a_stage_saved_from_a_stale_screen_says_who_changed_it_and_loses_nothing(
    state_url, audit_file
):
    engine = db.engine(state_url)
    seen_by_both = store.current_seq(engine, "stage", F1.uscc, "candidates")
    assert seen_by_both == 0
    store.record_stage(engine, ANALYST, F1, "candidates", "已走访", expected_seq=seen_by_both)
    with pytest.raises(rules.StaleStage) as err:
        store.record_stage(engine, JUEGANG, F1, "candidates", "辅导中", expected_seq=seen_by_both)
    text = str(err.value)
    assert "该企业在高企培育清单上的阶段已由 analyst 于 20" in text and "更改，现为“已走访”" in text
    assert "未保存" in text
    # Told, the second user saves on the current history: both entries stay.
    store.record_stage(engine, JUEGANG, F1, "candidates", "辅导中", expected_seq=1)
    stages = [(e["stage"], e["by"]) for e in reading.entries(engine, ANALYST, kinds=("stage",))]
    assert stages == [("已走访", "analyst"), ("辅导中", "juegang")]
    current = reading.current_stages(engine).row(0, named=True)
    assert (current["stage"], current["seq"]) == ("辅导中", 2)
    # A correction is a new entry with its reason; 暂缓 needs one.
    store.record_stage(engine, ANALYST, F1, "candidates", "已走访", "误点", correction=True)
    store.record_stage(engine, ANALYST, F1, "candidates", "暂缓", "企业今年搬迁")
    assert [e["stage"] for e in reading.entries(engine, ANALYST, kinds=("stage",))] == [
        "已走访",
        "辅导中",
        "已走访",
        "暂缓",
    ]
    assert [a["action"] for a in audited(audit_file)].count("worklog_stage") == 4


def test_the_tables_are_append_only(state_url):
    engine = db.engine(state_url)
    store.record_contact(engine, ANALYST, F1, kind="走访", on="2026-05-06", today=TODAY)
    for statement in (worklog_contacts.update().values(note="x"), worklog_contacts.delete()):
        with pytest.raises(sa.exc.DBAPIError, match="append only"), engine.begin() as conn:
            conn.execute(statement)
    assert n_rows(engine, worklog_contacts) == 1


def test_twenty_concurrent_writer_processes_lose_no_entry(state_url, audit_file, monkeypatch):
    # The children must not re-run whatever script ran as __main__ before (AppTest runs app.py so).
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    db.engine(state_url)  # migrated once here, so the writers race on records, not on the schema
    # Forked from a server that imported the writer once: 20 interpreters importing SQLAlchemy and
    # polars each would take most of the test's time on a busy machine.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["worklog_writer"])
    with ProcessPoolExecutor(max_workers=20, mp_context=context) as pool:
        results = list(
            pool.map(
                worklog_writer.write, [state_url] * 20, [F1] * 20, range(20), [str(audit_file)] * 20
            )
        )
    engine = db.engine(state_url)
    assert sum(r[0] for r in results) == n_rows(engine, worklog_contacts) == 100
    assert sum(r[1] for r in results) == n_rows(engine, worklog_stages) == 1
    with engine.connect() as conn:
        notes = set(conn.execute(sa.select(worklog_contacts.c.note)).scalars())
    assert notes == {f"{n}-{i}" for n in range(20) for i in range(5)}
    actions = [a["action"] for a in audited(audit_file)]
    assert actions.count("worklog_contact") == 100 and actions.count("worklog_stage") == 1


def test_county_functions_count_exactly(state_url, tmp_path, audit_file):
    import polars as pl

    engine = db.engine(state_url)
    store.record_contact(
        engine,
        JUEGANG,
        F1,
        kind="走访",
        on="2026-10-20",
        next_step="送申报材料",
        due_on="2026-11-01",
        today=TODAY,
    )
    store.record_contact(engine, CHANGSHA, F2, kind="辅导", on="2026-10-03", today=TODAY)
    store.record_contact(engine, CHANGSHA, F2, kind="宣传", on="2026-09-30", today=TODAY)
    store.record_stage(engine, JUEGANG, F1, "rd_zero", "已对接", now=NOW)
    store.assign_owner(engine, ANALYST, F3, "candidates", ANALYST, now=NOW)
    members = pl.DataFrame(
        [
            ("rd_zero", F1.uscc, F1.name, F1.town),
            ("rd_zero", F3.uscc, F3.name, F3.town),
            ("candidates", F2.uscc, F2.name, F2.town),
            ("candidates", F3.uscc, F3.name, F3.town),
        ],
        schema=list(MEMBER_SCHEMA),
        orient="row",
    )
    records = county_mod.snapshot(engine)
    october = county_mod.contacts_by_town(date(2026, 10, 15), records=records)
    assert october.to_dicts() == [
        {
            "town": "掘港街道",
            "n_visits": 1,
            "n_publicity": 0,
            "n_coaching": 0,
            "n_contacts": 1,
            "n_firms": 1,
        },
        {
            "town": "长沙镇",
            "n_visits": 0,
            "n_publicity": 0,
            "n_coaching": 1,
            "n_contacts": 1,
            "n_firms": 1,
        },
    ]
    funnel = county_mod.stage_funnel(members, records=records)
    rd = funnel.filter(pl.col("list_id") == "rd_zero")
    assert dict(zip(rd["stage"], rd["n_firms"], strict=True)) == {
        "未对接": 1,
        "已对接": 1,
        "已归集研发费用": 0,
        "已建研发机构": 0,
        "企业无意愿": 0,
    }
    # 30 days ending 5 November: from 7 October. Firm 1's 20 October contact counts, firm 2's 3
    # October not.
    view = county_mod.county_view(members, records, TODAY)
    rows = {(r["town"], r["list_id"]): r for r in view.to_dicts()}
    assert (
        rows[("掘港街道", "rd_zero")]["n_firms"],
        rows[("掘港街道", "rd_zero")]["n_contacted"],
    ) == (2, 1)
    assert rows[("掘港街道", "rd_zero")]["n_overdue"] == 1  # due 1 November, nothing since
    assert rows[("长沙镇", "candidates")]["n_contacted"] == 0
    assert county_mod.stage_text(rows[("掘港街道", "rd_zero")]) == "未对接 1 · 已对接 1"
    # 长沙镇's candidates list: last touched 3 October (more than 30 days): untouched.
    # 掘港街道's lists: touched.
    assert county_mod.untouched(members, records, TODAY).to_dicts() == [
        {"town": "长沙镇", "lists": "高企培育", "n_firms": 1}
    ]
    # Without the owner entry 掘港街道's 高企培育 list is untouched, but its 清零 list was
    # worked: the town is not named (跟踪台账 shows the list).
    no_owner = county_mod.Records(records.contacts, records.stages, records.owners.clear())
    assert county_mod.untouched(members, no_owner, TODAY)["town"].to_list() == ["长沙镇"]
    # 我的待办: juegang's town holds firms 1 and 3; the overdue next step comes first.
    todo = county_mod.todo(JUEGANG, members, records, TODAY)
    assert todo["uscc"].to_list() == [F1.uscc, F3.uscc]
    assert todo.row(0, named=True)["is_overdue"] is True
    assert county_mod.todo(ANALYST, members, records, TODAY)["uscc"].to_list() == [F3.uscc]
    # A later contact closes the step.
    store.record_contact(engine, JUEGANG, F1, kind="走访", on="2026-11-02", today=TODAY)
    todo = county_mod.todo(JUEGANG, members, county_mod.snapshot(engine), TODAY)
    assert todo["is_overdue"].to_list() == [None, None]


def test_the_briefing_reports_the_months_contacts_by_town(
    state_url, tmp_path, audit_file, monkeypatch
):
    from kechuang.worklog import briefing

    engine = db.engine(state_url)
    wh = Warehouse(county(tmp_path / "data"))
    store.record_contact(engine, JUEGANG, F1, kind="走访", on="2026-10-20", today=TODAY)
    store.record_contact(engine, CHANGSHA, F2, kind="辅导", on="2026-10-03", today=TODAY)
    store.record_contact(
        engine, CHANGSHA, F2, kind="宣传", on="2026-09-30", today=TODAY
    )  # September
    found = briefing.follow_up(wh, AS_OF, county_mod.snapshot(engine), today=TODAY)
    # 30 days to TODAY (11-05) start on 10-07: 长沙镇's contact (10-03) is older: untouched
    assert briefing.paragraph(found) == (
        "2026年10月，驾驶舱记录走访、宣传、辅导共 2 次（走访 1、宣传 0、辅导 1），"
        "涉及 2 个镇区，最多的是掘港街道（1 次）。"
        "截至2026年11月5日，1 个镇区的清单近30天无人跟进"
        "（清单上的企业均无走访、阶段或责任人记录）：长沙镇。"
    )
    assert found.contacts_table.columns == [
        "镇区",
        "走访",
        "宣传",
        "辅导",
        "合计（次）",
        "覆盖企业（家）",
    ]
    town = briefing.follow_up(
        Warehouse(tmp_path / "data", scope={"长沙镇"}), AS_OF, county_mod.snapshot(engine)
    )
    assert town.contacts["town"].to_list() == ["长沙镇"]
    # The Word briefing's hook: per town of the scope, Chinese headers, a 合计 row last.
    monkeypatch.setenv("KECHUANG_STATE", state_url)
    import kechuang.worklog

    table = kechuang.worklog.month_contacts_by_town(wh, AS_OF)
    assert table.rows() == [
        ("掘港街道", 1, 0, 0, 1, 1),
        ("长沙镇", 0, 0, 1, 1, 1),
        ("合计", 1, 0, 1, 2, 2),
    ]
    assert table.columns[0] == "镇区"


def test_the_ledgers_headline_counts_a_firm_on_two_lists_once(state_url, tmp_path, audit_file):
    """跟踪台账's figures are firms: firm 1 on the 清零 and key-enterprise lists, contacted on 20
    October with a step due 1 November, is one firm contacted and one overdue (the per-list rows
    hold it twice, so their sums would say 2)."""
    import polars as pl

    engine = db.engine(state_url)
    store.record_contact(
        engine, JUEGANG, F1, kind="走访", on="2026-10-20", next_step="送材料", due_on="2026-11-01",
        today=TODAY,
    )  # fmt: skip
    members = pl.DataFrame(
        [
            ("rd_zero", F1.uscc, F1.name, F1.town),
            ("key_enterprises", F1.uscc, F1.name, F1.town),
            ("key_enterprises", F2.uscc, F2.name, F2.town),
        ],
        schema=MEMBER_SCHEMA,
        orient="row",
    )
    records = county_mod.snapshot(engine)
    view = county_mod.county_view(members, records, TODAY)
    assert (view["n_contacted"].sum(), view["n_overdue"].sum()) == (2, 2)  # per list
    assert county_mod.headline(members, records, TODAY) == county_mod.Headline(2, 1, 1)
    # A contact outside the 30 days (before 7 October) and a firm on no list do not count.
    store.record_contact(engine, CHANGSHA, F2, kind="宣传", on="2026-10-06", today=TODAY)
    store.record_contact(engine, JUEGANG, F3, kind="宣传", on="2026-11-04", today=TODAY)
    head = county_mod.headline(members, county_mod.snapshot(engine), TODAY)
    assert head == county_mod.Headline(2, 1, 1)
