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

    from kechuang.cli import BadInput
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
