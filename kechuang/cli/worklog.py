"""`python -m kechuang worklog add|correct|stage|owner|list`: the work records from scripts (cli.md
style:
--json on stdout; bad input exits 2 with one line on stderr and writes nothing)."""

from __future__ import annotations

import argparse
from types import SimpleNamespace


def add_worklog_parser(sub, common) -> None:
    worklog = sub.add_parser("worklog", help="跟踪培育台账：记录走访服务、培育阶段、责任人")
    action = worklog.add_subparsers(
        dest="worklog_command", required=True, parser_class=sub._parser_class
    )
    contact = argparse.ArgumentParser(add_help=False)
    contact.add_argument("--kind", required=True, help="走访 / 宣传 / 辅导")
    contact.add_argument("--on", required=True, help="日期 YYYY-MM-DD（不晚于今天）")
    contact.add_argument("--service", help="服务类别，如 高企申报辅导、研发费用归集")
    contact.add_argument("--note", help="备注（最多500字）")
    contact.add_argument("--next", dest="next_step", help="下一步（须同时给出 --due）")
    contact.add_argument("--due", help="下一步期限 YYYY-MM-DD")
    add = action.add_parser("add", parents=[common, contact], help="记录一次走访/宣传/辅导")
    add.add_argument("uscc", help="统一社会信用代码")
    add.add_argument("--list", dest="list_id", help="所在清单（可选，仅作记录来源）")
    correct = action.add_parser("correct", parents=[common, contact], help="更正一条走访记录")
    correct.add_argument("uscc", help="统一社会信用代码")
    correct.add_argument("--entry", type=int, required=True, help="被更正记录的编号")
    correct.add_argument("--reason", required=True, help="更正原因")
    stage = action.add_parser("stage", parents=[common], help="记录培育阶段")
    stage.add_argument("uscc", help="统一社会信用代码")
    stage.add_argument(
        "--list", dest="list_id", required=True, help="candidates 高企培育 / rd_zero 研发活动清零"
    )
    stage.add_argument("--stage", required=True, help="阶段，如 已走访、辅导中、暂缓")
    stage.add_argument("--reason", help="原因（暂缓、企业无意愿及更正时必填）")
    stage.add_argument("--expect-seq", type=int, help="所见的阶段记录序号（他人已更改则不保存）")
    stage.add_argument("--correction", action="store_true", help="更正上一条阶段记录")
    owner = action.add_parser("owner", parents=[common], help="指定责任人")
    owner.add_argument("uscc", help="统一社会信用代码")
    owner.add_argument(
        "--list",
        dest="list_id",
        required=True,
        help="清单：rd_zero、candidates、gazelle、key_enterprises、iur",
    )
    owner.add_argument("--owner", required=True, help="责任人账户名")
    listing = action.add_parser("list", parents=[common], help="列出工作记录")
    listing.add_argument("--uscc", help="只列该企业")
    listing.add_argument("--town", help="只列该镇区")
    listing.add_argument("--since", help="只列该日期及以后 YYYY-MM-DD")


def cmd_worklog(args) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from kechuang.cli.common import BadInput, _emit, cli_user, open_warehouse
    from kechuang.worklog import rules

    if not args.as_user:
        raise BadInput("请用 --as-user 指明以哪个账户记录或查看（工作记录按账户的角色和镇区授权）")
    user = cli_user(args)
    try:
        if args.worklog_command == "list":
            _list(args, user, _emit)
            return
        county = open_warehouse(SimpleNamespace(**{**vars(args), "as_user": None}))
        entry = _write(args, user, county)
    except rules.WorklogError as err:
        raise BadInput(str(err)) from None
    except SQLAlchemyError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise BadInput(f"状态数据库无法读写：{first}") from None
    if args.json:
        _emit(entry, True)
    else:
        print(f"已记录第 {entry['id']} 号：{_line(entry)}")


def _write(args, user, county) -> dict:
    from kechuang.cli.common import BadInput, cli_user
    from kechuang.state import db
    from kechuang.worklog import lists, store

    firm = lists.find_firm(county, args.uscc)
    engine = db.engine()
    command = args.worklog_command
    if command in ("add", "correct"):
        fields = {
            "kind": args.kind,
            "on": args.on,
            "service_type": args.service,
            "note": args.note,
            "next_step": args.next_step,
            "due_on": args.due,
        }
        if command == "add":
            return store.record_contact(engine, user, firm, list_id=args.list_id, **fields)
        return store.correct_contact(engine, user, firm, args.entry, args.reason, **fields)
    if command == "stage":
        return store.record_stage(
            engine,
            user,
            firm,
            args.list_id,
            args.stage,
            args.reason,
            expected_seq=args.expect_seq,
            correction=args.correction,
        )
    try:
        owner = cli_user(SimpleNamespace(as_user=args.owner))
    except BadInput:
        owner = None
    return store.assign_owner(engine, user, firm, args.list_id, owner)


def _list(args, user, emit) -> None:
    import polars as pl

    from kechuang.state import db
    from kechuang.worklog import lists, reading, rules

    since = rules.parse_date(args.since, "--since") if args.since else None
    uscc = lists.normal_uscc(args.uscc) if args.uscc else None
    rows = reading.entries(db.engine(), user, uscc=uscc, town=args.town, since=since)
    from kechuang.cli.common import audit_cli

    # Firms' work records leave the state database here: audited like the other lists' downloads.
    asked = "".join(
        f" {flag} {value}"
        for flag, value in (("--uscc", uscc), ("--town", args.town), ("--since", args.since))
        if value
    )
    audit_cli(
        args,
        "download",
        f"worklog list 工作记录{asked} {len(rows)} 条",
        reading.visible_towns(user),
    )
    if args.json:
        emit(rows, True)
        return
    table = pl.DataFrame(
        [
            {
                "编号": e["id"],
                "企业": e["uscc"],
                "镇区": e["town"],
                "日期": e["on"],
                "内容": _line(e),
            }
            | {"记录人": e["by"], "记录时间": e["recorded_at"]}
            for e in rows
        ]
    )
    emit(rows, False, table if rows else pl.DataFrame({"提示": ["暂无工作记录"]}))


def _line(e: dict) -> str:
    from kechuang.worklog import rules

    if e["entry"] == "contact":
        text = f"{e['uscc']} {e['on']} {e['kind']}" + (
            f"（{e['service_type']}）" if e["service_type"] else ""
        )
        text += f"：{e['note']}" if e["note"] else ""  # as the pages' timeline shows it
        if e["next_step"]:
            text += f"；下一步：{e['next_step']}（{e['due_on']}前）"
        if e["supersedes"]:
            text += f"；更正第 {e['supersedes']} 号：{e['reason']}"
        return text
    label = rules.LISTS.get(e["list"], e["list"])
    if e["entry"] == "stage":
        return f"{e['uscc']} {label}阶段：{e['stage']}" + (
            f"（{e['reason']}）" if e["reason"] else ""
        )
    return f"{e['uscc']} {label}责任人：{e['owner']}"
