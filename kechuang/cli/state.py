"""`python -m kechuang db upgrade`: migrate the state database (the app also does it at start)."""

from __future__ import annotations


def add_db_parser(sub) -> None:
    db_parser = sub.add_parser("db", help="状态数据库（账户、会话、分享链接、审计日志）")
    action = db_parser.add_subparsers(dest="db_command", required=True)
    upgrade = action.add_parser("upgrade", help="升级到最新结构（应用 Alembic 迁移）")
    upgrade.add_argument(
        "--url", help="数据库 URL（默认：环境变量 KECHUANG_STATE，否则实例目录下 state.db）"
    )


def cmd_db(args) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from kechuang.cli.common import BadInput
    from kechuang.state import db

    url = args.url or db.state_url()
    where = db.describe(url)
    try:
        eng = db.create(url)  # not db.engine(): that would migrate before we read the revision
        try:
            before = db.current_revision(eng)
            db.upgrade(eng)
            after = db.current_revision(eng)
        finally:
            eng.dispose()
    except (SQLAlchemyError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise BadInput(f"状态数据库无法升级（{where}）：{first}") from None
    if before == after:
        print(f"状态数据库已是最新结构（{after}）：{where}")
    else:
        print(f"状态数据库已升级：{before or '（空）'} → {after}：{where}")


AUDIT_COLUMNS = ["at", "user_name", "role_label", "action_label", "detail", "scope"]


def add_audit_parser(sub) -> None:
    audit_parser = sub.add_parser("audit", help="审计日志")
    action = audit_parser.add_subparsers(dest="audit_command", required=True)
    export = action.add_parser("export", help="导出审计日志（JSONL 或 CSV）")
    export.add_argument("--since", help="起始日期 YYYY-MM-DD（北京时间 0 时起；默认全部）")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="默认 jsonl")
    export.add_argument("--out", help="写入该文件（默认：输出到标准输出）")
    export.add_argument("--users", help="用户文件（默认：环境变量 KECHUANG_USERS），指定实例目录")


def cmd_audit(args) -> None:
    """Export the audit log: the same frame, columns and CSV as 账户与审计's downloads."""
    import sys
    from datetime import date
    from pathlib import Path

    from kechuang.access import audit, auth
    from kechuang.cli.common import BadInput
    from kechuang.engine import contract
    from kechuang.output import tables

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        raise BadInput(f"日期格式有误：{args.since!r}，应为 YYYY-MM-DD，例如 2026-10-31") from None
    folder = Path(args.users).parent if args.users else auth.instance_dir()
    events = audit.read(since, path=audit.default_path(folder))
    if args.format == "jsonl":
        data = audit.jsonl(events)
    else:
        data = tables.csv_bytes(contract.for_display(events, AUDIT_COLUMNS))
    if args.out:
        out = Path(args.out)
        try:
            out.write_bytes(data)
            out.chmod(0o600)  # the log names people and firms
        except OSError as err:
            raise BadInput(f"无法写入 {out}：{err.strerror or err}") from None
        print(f"已导出 {events.height} 条审计记录：{out}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
