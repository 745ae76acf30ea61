"""Command line (shared/spec/cli.md): python -m kechuang COMMAND [options]. No Streamlit here.

The parser and the dispatch; the commands by family in reports, users and ingest; what they
share in common."""

from __future__ import annotations

import argparse
import sys

import duckdb

from kechuang import settings
from kechuang.cli.common import BadInput, _iso_date, _Parser
from kechuang.cli.ingest import add_ingest_parser, cmd_ingest
from kechuang.cli.reports import (
    cmd_check,
    cmd_demo_data,
    cmd_export,
    cmd_gazelle,
    cmd_profile,
    cmd_progress,
    cmd_rd_zero,
    cmd_screen,
)
from kechuang.cli.state import add_audit_parser, add_db_parser, cmd_audit, cmd_db
from kechuang.cli.users import add_users_parser, cmd_users
from kechuang.cli.worklog import add_worklog_parser, cmd_worklog
from kechuang.engine.plan import PlanError
from kechuang.engine.sources import DataError


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="数据目录（默认：环境变量 KECHUANG_DATA，否则 data/demo）")
    common.add_argument(
        "--as-of",
        type=_iso_date,
        help="截至日期 YYYY-MM-DD（默认：数据中最新事件日期，且不晚于今天；晚于它的日期按它计算）",
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
    export = sub.add_parser(
        "export", parents=[common], help="生成简报：Word（.docx）、PDF（.pdf）或工作簿（.xlsx）"
    )
    export.add_argument(
        "--out", required=True, help="输出文件，格式由扩展名决定：简报.docx、简报.pdf 或 简报.xlsx"
    )
    export.add_argument("--town", help="只含该镇区（默认：全县）")
    demo = sub.add_parser("demo-data", help="生成演示数据")
    demo.add_argument("--out", required=True, help="输出目录")
    demo.add_argument("--scale", choices=["county", "province"], default="county")
    demo.add_argument("--seed", type=int, default=20261031)
    add_users_parser(sub)
    add_db_parser(sub)
    add_audit_parser(sub)
    add_worklog_parser(sub, common)
    return parser


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
    "db": cmd_db,
    "audit": cmd_audit,
    "worklog": cmd_worklog,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        settings.current()  # a bad KECHUANG_* value stops every command here, with one line
        code = COMMANDS[args.command](args)
    except (BadInput, DataError, PlanError, settings.SettingsError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    except duckdb.Error as err:
        print(f"错误：读取数据失败：{str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    return code or 0  # check: 1 when an error-severity finding exists
