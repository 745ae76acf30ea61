"""What every command shares: one-line bad input, dates, the warehouse (with --as-user's scope),
JSON or table output."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from decimal import Decimal

import polars as pl

from kechuang import settings
from kechuang.engine import metrics
from kechuang.engine.warehouse import Warehouse
from kechuang.settings import DEMO_DATA


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


def open_warehouse(args, strict: bool = True) -> Warehouse:
    current = settings.current()
    data = args.data or str(current.data_dir)
    if not args.data and current.demo and not DEMO_DATA.is_dir():
        raise BadInput(
            f"演示数据不存在：{DEMO_DATA}（先运行 python -m kechuang demo-data --out "
            "data/demo，或用 --data 指定数据目录）"
        )
    wh = Warehouse(data, scope=auth_scope(args), strict=strict)
    return _with_records(wh)


def _with_records(wh: Warehouse) -> Warehouse:
    """The warehouse with the contacts recorded in the dashboard (key_enterprises_served counts
    them)."""
    from sqlalchemy.exc import SQLAlchemyError

    from kechuang.worklog import bridge

    try:
        return bridge.attach(wh)
    except SQLAlchemyError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise BadInput(f"状态数据库无法读取（工作记录）：{first}") from None


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


def as_seen(args, frame: pl.DataFrame) -> pl.DataFrame:
    """A table naming firms as the --as-user account sees it (tax amounts banded where it must)."""
    if not getattr(args, "as_user", None):
        return frame
    from kechuang.access import redact

    return redact.frame_for(cli_user(args), frame)


def _as_of(args, wh) -> date:
    """--as-of, or the data's freshness; a later date is brought back (one line on stderr)."""
    as_of, notice = metrics.bring_back(args.as_of, metrics.default_as_of(wh))
    if notice:
        print(notice, file=sys.stderr)
    return as_of


def _operator() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def audit_cli(args, action: str, detail: str, scope=None) -> None:
    """Record what a command read or changed: as the --as-user account when given (its role and
    scope), else as the operating-system user (cli:NAME); the OS user is always in the detail. A
    log that cannot be written is a warning, not a lost result."""
    from kechuang.access import audit

    account = cli_user(args)
    who = account if account is not None else _operator()
    text = f"{detail}（命令行，系统用户 {_operator().removeprefix('cli:')}）"
    try:
        audit.record(who, action, text, scope)
    except OSError as err:
        print(
            f"警告：审计日志无法写入（{audit.default_path()}：{err.strerror or err}）",
            file=sys.stderr,
        )


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
