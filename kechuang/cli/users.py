"""users: accounts of the dashboard (kechuang/access/auth.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from kechuang.cli.common import BadInput, _emit, _operator, _Parser


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
