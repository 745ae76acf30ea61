"""Command line (shared/spec/cli.md): python -m kechuang COMMAND [options]. No Streamlit here."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from kechuang import settings
from kechuang.engine import checks, contract, metrics, prefetch, screening
from kechuang.engine.plan import PlanError, load_plan
from kechuang.engine.profile import UnknownEnterprise, enterprise_file
from kechuang.engine.uscc import problem as uscc_problem
from kechuang.engine.warehouse import DataError, Warehouse
from kechuang.settings import DEMO_DATA
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS


class BadInput(Exception):
    """Input the user must fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise BadInput(f"参数有误：{message}（python -m kechuang --help 查看用法）")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式有误：{text!r}，应为 YYYY-MM-DD，例如 2026-10-31"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="数据目录（默认：环境变量 KECHUANG_DATA，否则 data/demo）")
    common.add_argument(
        "--as-of",
        type=_iso_date,
        help="截至日期 YYYY-MM-DD（默认：数据中最新事件日期，且不晚于今天）",
    )
    common.add_argument("--json", action="store_true", help="输出 JSON")
    common.add_argument(
        "--as-user",
        help="以该账户的权限运行：镇区账户只见本镇区；无纳税明细权限者一企一档的开票数据为年度区间",
    )
    parser = _Parser(prog="python -m kechuang", description="如东科创驾驶舱命令行")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("progress", parents=[common], help="六百创新目标进度")
    screen = sub.add_parser("screen", parents=[common], help="高企精准筛选")
    screen.add_argument("--all", action="store_true", help="列出全部参评企业，而不只是候选企业")
    sub.add_parser("rd-zero", parents=[common], help="亿元以上制造业企业研发活动清零清单")
    sub.add_parser("gazelle", parents=[common], help="瞪羚、独角兽培育候选")
    profile = sub.add_parser("profile", parents=[common], help="一企一档")
    profile.add_argument("uscc", help="统一社会信用代码")
    sub.add_parser("check", parents=[common], help="数据质量检查")
    add_ingest_parser(sub, common)
    export = sub.add_parser("export", parents=[common], help="生成简报工作簿（.xlsx）")
    export.add_argument("--out", required=True, help="输出文件，如 简报.xlsx")
    export.add_argument("--town", help="只含该镇区（默认：全县）")
    demo = sub.add_parser("demo-data", help="生成演示数据")
    demo.add_argument("--out", required=True, help="输出目录")
    demo.add_argument("--scale", choices=["county", "province"], default="county")
    demo.add_argument("--seed", type=int, default=20261031)
    add_users_parser(sub)
    return parser


def open_warehouse(args, strict: bool = True) -> Warehouse:
    current = settings.current()
    data = args.data or str(current.data_dir)
    if not args.data and current.demo and not DEMO_DATA.is_dir():
        raise BadInput(
            f"演示数据不存在：{DEMO_DATA}（先运行 python -m kechuang demo-data --out "
            "data/demo，或用 --data 指定数据目录）"
        )
    return Warehouse(data, scope=auth_scope(args), strict=strict)


def cli_user(args):
    """The account named by --as-user (None without it): the CLI then sees what that user sees in
    the app."""
    from kechuang.access import auth

    if not getattr(args, "as_user", None):
        return None
    try:
        found = [
            u
            for u in auth.list_users(auth.users_path())
            if u.name == auth.normal_name(args.as_user)
        ]
    except auth.AccountError as err:
        raise BadInput(str(err)) from None
    if not found:
        raise BadInput(f"账户不存在：{args.as_user}（用户文件 {auth.users_path()}）")
    return found[0]


def auth_scope(args) -> frozenset[str] | None:
    from kechuang.access import auth

    user = cli_user(args)
    return None if user is None else auth.scope_for(user)


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _emit(obj, as_json: bool, table: pl.DataFrame | None = None) -> None:
    if as_json:
        print(json.dumps(obj, ensure_ascii=False, default=_jsonable, indent=1))
    elif table is not None:
        with pl.Config(
            tbl_rows=200,
            tbl_cols=20,
            fmt_str_lengths=40,
            tbl_width_chars=200,
            tbl_hide_dataframe_shape=True,
        ):
            print(table)
            print(f"共 {table.height} 行")


def cmd_progress(args) -> None:
    wh = open_warehouse(args)
    as_of = args.as_of or metrics.default_as_of(wh)
    plan = load_plan(as_of.year)
    rows = metrics.progress(wh, as_of, plan, prefetch.Shared())
    if args.json:
        _emit(
            {"as_of": as_of, "plan_year": as_of.year, "metrics": [p.as_json() for p in rows]}, True
        )
        return
    print(f"截至{fmt.cn_date(as_of)}（{plan.title if plan else f'{as_of.year}年无计划文件'}）")
    for p in rows:
        share = fmt.pct(p.share_of_target) if p.share_of_target is not None else "—"
        print(
            f"  {p.label}: {fmt.amount(p.actual, p.unit)} / 目标 {fmt.amount(p.target, p.unit)}"
            f"（完成 {share}，{STATUS_LABELS[p.status]}）"
            + (f" {contract.missing_note(p.missing_tables)}" if p.missing_tables else "")
        )


SCREEN_FIELDS = [
    "uscc",
    "name",
    "town",
    "candidate",
    "pass_age",
    "pass_ip",
    "pass_rd_intensity",
    "pass_rd_staff",
    "pass_growth",
    "pass_sme",
    "rd_intensity",
    "revenue_growth",
    "rd_staff_ratio",
    "score",
]


def cmd_screen(args) -> None:
    wh = open_warehouse(args)
    as_of = args.as_of or metrics.default_as_of(wh)
    rows = screening.screen(wh, as_of, include_all=args.all).select(SCREEN_FIELDS)
    _emit(rows.to_dicts(), args.json, rows)


def cmd_rd_zero(args) -> None:
    wh = open_warehouse(args)
    as_of = args.as_of or metrics.default_as_of(wh)
    rows = metrics.rd_coverage(wh, as_of).worklist.select("uscc", "name", "town", "revenue_wan")
    _emit(rows.to_dicts(), args.json, rows)


def cmd_gazelle(args) -> None:
    wh = open_warehouse(args)
    as_of = args.as_of or metrics.default_as_of(wh)
    rows = screening.gazelle_candidates(wh, as_of).select(
        "uscc", "name", "town", "revenue_wan", "cagr", "in_cultivation"
    )
    _emit(rows.to_dicts(), args.json, rows)


def cmd_profile(args) -> None:
    code = args.uscc.strip().upper()
    if len(code) != 18 or (uscc_problem(code) or "").startswith("统一社会信用代码含非法字符"):
        raise BadInput(f"{uscc_problem(code)}：{args.uscc}")
    wh = open_warehouse(args)
    as_of = args.as_of or metrics.default_as_of(wh)
    try:
        file = enterprise_file(wh, code, as_of)
    except UnknownEnterprise:
        raise BadInput(
            f"未找到统一社会信用代码为 {code} 的企业（数据目录 {wh.data_dir}）"
        ) from None
    if args.as_user:
        from kechuang.access import redact

        file = redact.file_for(cli_user(args), file)
    if args.json:
        _emit({"as_of": as_of, **file.as_json()}, True)
        return
    reg = file.registry
    print(f"{reg['name']}（{reg['uscc']}）{reg['town'] or ''} {reg['status'] or ''}")
    for gap in file.checklist:
        print(
            f"  {screening.CRITERIA[gap.criterion]}：{screening.PASS_LABELS[gap.passed]} "
            f"{'' if gap.passed else gap.text}"
        )
    for name, frame in file.sections.items():
        print(f"  {name}: {frame.height} 行")
    if file.absent_sources:
        print(f"  无数据来源：{', '.join(file.absent_sources)}")


def cmd_check(args) -> None:
    wh = open_warehouse(args, strict=False)
    found = checks.findings(wh)
    if not found and not args.json:
        print("未发现数据问题。")
        return
    rows = pl.DataFrame(
        [f.as_json() for f in found],
        schema=["table", "check", "severity", "rows", "example"],
        orient="row",
    )
    _emit([f.as_json() for f in found], args.json, rows)


def cmd_demo_data(args) -> None:
    from kechuang.demo import write_demo

    counts = write_demo(args.out, scale=args.scale, seed=args.seed)
    print(
        json.dumps(counts, ensure_ascii=False)
        if getattr(args, "json", False)
        else f"已写入 {args.out}：{counts}"
    )


def cmd_export(args) -> None:
    from kechuang.output import workbook as export

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise BadInput(f"输出文件应以 .xlsx 结尾：{args.out}")
    if not out.parent.is_dir():
        raise BadInput(f"输出目录不存在：{out.parent}（先创建该目录，或换一个 --out 路径）")
    wh = open_warehouse(args)
    as_of = args.as_of or metrics.default_as_of(wh)
    try:
        export.briefing_workbook(wh, as_of, args.town, out)
    except export.UnknownTown as err:
        raise BadInput(str(err)) from None
    except OSError as err:
        raise BadInput(f"无法写入 {out}：{err.strerror or err}") from None
    from kechuang.access import audit

    try:  # the same trail as the app's exports
        audit.record(cli_user(args) or _operator(), "export", out.name, wh.scope)
    except OSError as err:
        print(
            f"警告：审计日志无法写入（{audit.default_path()}：{err.strerror or err}）",
            file=sys.stderr,
        )
    print(out.resolve())


# -- users: accounts of the dashboard (kechuang/auth.py) ---------------------------------------


def add_users_parser(sub) -> None:
    users_file = argparse.ArgumentParser(add_help=False)
    users_file.add_argument(
        "--users", help="用户文件（默认：环境变量 KECHUANG_USERS，否则 instance/users.json）"
    )
    password = argparse.ArgumentParser(add_help=False)
    password.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取密码（一行），用于脚本"
    )
    users = sub.add_parser("users", help="账户管理：新增、列出、删除、改密码")
    action = users.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    add = action.add_parser("add", parents=[users_file, password], help="新增账户")
    add.add_argument("name", help="用户名：小写字母开头，只含小写字母、数字、_ . -")
    add.add_argument(
        "--role", required=True, help="admin 管理员 / analyst 分析员 / leader 领导 / town 镇区"
    )
    add.add_argument(
        "--town", action="extend", nargs="+", default=[], help="镇区账户所辖镇区（可多个）"
    )
    add.add_argument("--display-name", default="", help="显示名称，如 张三（长沙镇）")
    listing = action.add_parser("list", parents=[users_file], help="列出账户")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    action.add_parser("remove", parents=[users_file], help="删除账户").add_argument("name")
    action.add_parser("passwd", parents=[users_file, password], help="修改密码").add_argument(
        "name"
    )


def _read_password(args) -> str:
    import getpass

    if args.password_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
    else:
        text = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != text:
            raise BadInput("两次输入的密码不一致")
    if not text:
        raise BadInput("密码为空（用 --password-stdin 时从标准输入读一行）")
    return text


def _operator() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def cmd_users(args) -> None:
    from kechuang.access import audit, auth

    path = Path(args.users or auth.users_path())
    log = audit.default_path(path.parent)
    try:
        if args.users_command == "add":
            user = auth.add_user(
                path, args.name, _read_password(args), args.role, args.town, args.display_name
            )
            audit.record(_operator(), "user_added", user.account_text, None, path=log)
            print(
                f"已新增账户 {user.label}：{user.name}"
                + (f"，镇区：{'、'.join(sorted(user.towns))}" if user.towns else "")
            )
        elif args.users_command == "list":
            users = auth.list_users(path)
            rows = [
                {
                    "name": u.name,
                    "role": u.role,
                    "role_label": auth.ROLES[u.role],
                    "towns": sorted(u.towns),
                    "display_name": u.display_name,
                }
                for u in users
            ]
            if args.json:
                _emit(rows, True)
            elif not rows:
                print(
                    f"尚无账户（{path}）。新增管理员：python -m kechuang users add admin --role "
                    "admin"
                )
            else:
                _emit(
                    rows,
                    False,
                    pl.DataFrame(
                        [
                            {
                                "用户名": u.name,
                                "角色": auth.ROLES[u.role],
                                "镇区": u.towns_label,
                                "显示名称": u.display_name,
                            }
                            for u in users
                        ]
                    ),
                )
        elif args.users_command == "remove":
            auth.remove_user(path, args.name)
            audit.record(_operator(), "user_removed", auth.normal_name(args.name), None, path=log)
            print(f"已删除账户 {auth.normal_name(args.name)}")
        elif args.users_command == "passwd":
            name = auth.normal_name(args.name)
            if name not in {u.name for u in auth.list_users(path)}:
                raise auth.AccountError(f"用户 {name} 不存在")
            auth.set_password(path, name, _read_password(args))
            audit.record(_operator(), "password_changed", name, None, path=log)
            print(f"已修改 {name} 的密码；其已登录的会话将失效")
    except auth.AccountError as err:
        raise BadInput(str(err)) from None
    except OSError as err:
        raise BadInput(f"无法读写用户文件 {path}：{err.strerror or err}") from None


# -- ingest: department files into the data directory (kechuang/ingest) ---------------------------


def add_ingest_parser(sub, common) -> None:
    ingest = sub.add_parser(
        "ingest", parents=[common], help="导入部门数据文件（CSV/Excel/Parquet）"
    )
    ingest.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="数据文件：CSV（UTF-8 或 GBK）、Excel .xlsx、Parquet",
    )
    ingest.add_argument("--table", help="表名（默认：按表头自动识别）")
    ingest.add_argument(
        "--mode",
        choices=["replace", "append", "replace-periods"],
        help="replace 整表替换（默认）；append 追加；replace-periods 按所属期替换（tax_monthly "
        "默认）",
    )
    ingest.add_argument("--user", help="经办人（默认：当前系统用户）")
    ingest.add_argument("--dry-run", action="store_true", help="只检查、不写入")
    ingest.add_argument("--rejects", help="未导入行文件的输出目录（默认：数据目录下 _rejects/）")
    ingest.add_argument("--rollback", metavar="TABLE", help="恢复该表导入前的上一版本")


def _ingest_data_dir(args) -> Path:
    data = args.data or settings.current().data
    if not data:
        raise BadInput("请用 --data 指定要导入的数据目录（或设置环境变量 KECHUANG_DATA）")
    return Path(data)


def cmd_ingest(args) -> None:
    from kechuang import ingest

    data = _ingest_data_dir(args)
    try:
        if args.rollback:
            if args.sources:
                raise BadInput("--rollback 不与数据文件同用：回退时不要给出文件")
            entry = ingest.rollback(data, args.rollback, user=args.user)
            if args.json:
                _emit(entry, True)
            else:
                print(
                    f"已回退表 {args.rollback}：恢复到版本 "
                    f"{entry['version'] or '（导入前无此表）'}（撤下版本 {entry['previous']}）"
                )
            return
        if not args.sources:
            raise BadInput(
                "请给出要导入的数据文件，例如：python -m kechuang ingest 企业名录.xlsx --data DIR"
            )
        sources = [ingest.Source.from_path(p) for p in args.sources]
        rejects = Path(args.rejects) if args.rejects else data / "_rejects"
        results = ingest.ingest(
            data,
            sources,
            table=args.table,
            mode=args.mode,
            user=args.user,
            dry_run=args.dry_run,
            rejects_dir=rejects,
        )
    except ingest.IngestError as err:
        raise BadInput(str(err)) from None
    except OSError as err:
        raise BadInput(f"无法读写 {err.filename or data}：{err.strerror or err}") from None
    if args.json:
        _emit([r.as_json() for r in results], True)
    else:
        for r in results:
            _print_ingest(r, args.dry_run)
    if any(r.rows_accepted == 0 and not r.repeat for r in results):
        raise BadInput("有文件没有一行可导入（原因见未导入行文件），数据未改动")


def _print_ingest(r, dry_run: bool) -> None:
    from kechuang.engine.contract import TABLE_LABELS

    verb = (
        "检查"
        if dry_run
        else ("重复导入（数据未变）" if r.repeat else ("已导入" if r.written else "未导入"))
    )
    print(
        f"{verb} {r.table}（{TABLE_LABELS[r.table]}），方式 {r.mode}：接受 {r.rows_accepted} "
        f"行，未导入 {r.rows_rejected} 行，"
        f"提示 {r.rows_flagged} 行"
        + (f"；表内现有 {r.rows_total} 行，版本 {r.version}" if r.version else "")
    )
    for note in r.notes:
        print(f"  {note}")
    for row in r.flags.head(5).iter_rows(named=True):
        print(f"  提示 {row['文件']} 第{row['行号']}行：{row['提示']}")
    for paths in r.rejects_paths.values():
        for p in paths:
            print(f"  未导入的行及原因：{p}（修正后可重新导入）")


COMMANDS = {
    "progress": cmd_progress,
    "screen": cmd_screen,
    "rd-zero": cmd_rd_zero,
    "gazelle": cmd_gazelle,
    "profile": cmd_profile,
    "check": cmd_check,
    "demo-data": cmd_demo_data,
    "export": cmd_export,
    "ingest": cmd_ingest,
    "users": cmd_users,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        settings.current()  # a bad KECHUANG_* value stops every command here, with one line
        COMMANDS[args.command](args)
    except (BadInput, DataError, PlanError, settings.SettingsError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    except duckdb.Error as err:
        print(f"错误：读取数据失败：{str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0
