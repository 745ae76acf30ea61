"""Accounts, login with rate limiting, sessions, roles and scope, OIDC role mapping, and `users` on
the CLI."""

from __future__ import annotations

import io
import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from kechuang import settings
from kechuang.access import audit, auth, oidc, sessions, signin, throttle
from kechuang.cli import main
from kechuang.state import db

T0 = datetime(2026, 10, 31, 1, 0, tzinfo=UTC)  # 9:00 Beijing time
PASSWORD = "correct-horse-9"
PRODUCTION_HASHER = auth.HASHER  # before the fixture below swaps in cheap parameters


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch, tmp_path):
    """Fast argon2id parameters (same algorithm) and every default path under tmp_path."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(signin, "_DUMMY_HASH", [])
    monkeypatch.setenv("KECHUANG_USERS", str(tmp_path / "instance" / "users.json"))
    monkeypatch.delenv("KECHUANG_AUDIT", raising=False)
    for name in ("KECHUANG_IDLE_MINUTES", "KECHUANG_SESSION_HOURS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def users(tmp_path):
    path = tmp_path / "instance" / "users.json"
    auth.add_user(path, "analyst", PASSWORD, "analyst", now=T0)
    auth.add_user(path, "changsha", PASSWORD, "town", ["长沙镇", "掘港街道"], "长沙镇 张三", now=T0)
    return path


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def throttled(path) -> dict:
    with auth.store(path).connect() as conn:
        return throttle.state(conn)


def events(path) -> list[tuple[str, str]]:
    frame = audit.read(path=path.parent / "audit.jsonl")
    return list(zip(frame["user_name"], frame["action"], strict=True))


# -- hashing and the users file ------------------------------------------------------------


def test_password_is_stored_only_as_an_argon2id_hash_with_the_real_parameters(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(auth, "HASHER", PRODUCTION_HASHER)  # the production parameters, once
    path = tmp_path / "instance" / "users.json"
    auth.add_user(path, "admin", PASSWORD, "admin", now=T0)
    with auth.store(path).connect() as conn:
        stored = auth.account_row(conn, "admin").password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP's first configuration
    db.dispose()  # SQLite folds its write-ahead log into the file
    assert PASSWORD.encode() not in (path.parent / "state.db").read_bytes()
    assert mode(path.parent / "state.db") == 0o600 and mode(path.parent) == 0o700
    assert signin.login(path, "admin", PASSWORD, now=T0).user == auth.User("admin", "admin")
    assert not path.exists()  # no users file: the database holds the accounts


def test_a_hash_with_the_former_parameters_still_signs_in_and_is_rehashed(tmp_path, monkeypatch):
    """Accounts made before the parameters changed (RFC 9106 low-memory: m=64 MiB, t=3, p=4) keep
    working; their first sign-in stores the hash with the current parameters."""
    path = tmp_path / "instance" / "users.json"
    monkeypatch.setattr(auth, "HASHER", PasswordHasher())  # argon2-cffi's default: the former
    auth.add_user(path, "admin", PASSWORD, "admin", now=T0)
    monkeypatch.setattr(auth, "HASHER", PRODUCTION_HASHER)

    def stored():
        with auth.store(path).connect() as conn:
            return auth.account_row(conn, "admin").password_hash

    assert stored().startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert signin.login(path, "admin", PASSWORD, now=T0).user == auth.User("admin", "admin")
    assert stored().startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert signin.login(path, "admin", PASSWORD, now=T0).user == auth.User("admin", "admin")


def test_add_user_validates_name_role_towns_and_password(users):
    cases = [
        (("analyst", PASSWORD, "analyst"), {}, "已存在"),
        (("x", PASSWORD, "analyst"), {}, "无效"),
        (("张三", PASSWORD, "analyst"), {}, "无效"),
        (("bob", PASSWORD, "boss"), {}, "未知角色"),
        (("bob", PASSWORD, "town"), {}, "至少一个镇区"),
        (("bob", PASSWORD, "leader"), {"towns": ["长沙镇"]}, "只有镇区账户"),
        (("bob", "short7!", "leader"), {}, "至少 10 个字符"),
        (("bobby12345", "BOBBY12345", "leader"), {}, "不能与用户名"),
    ]
    for args, kwargs, message in cases:
        with pytest.raises(auth.AccountError, match=message):
            auth.add_user(users, *args, **kwargs)
    assert [u.name for u in auth.list_users(users)] == ["analyst", "changsha"]


def test_list_users_and_names_are_case_insensitive(users):
    assert auth.list_users(users) == [
        auth.User("analyst", "analyst"),
        auth.User("changsha", "town", frozenset({"长沙镇", "掘港街道"}), "长沙镇 张三"),
    ]
    assert signin.login(users, "  ChangSha ", PASSWORD, now=T0).user.name == "changsha"


def test_a_corrupt_users_file_to_import_is_an_account_error_and_kept(tmp_path):
    path = tmp_path / "users.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(auth.AccountError, match="用户文件无法导入（不是有效的 JSON）"):
        auth.list_users(path)
    path.write_text('{"accounts": []}', encoding="utf-8")
    with pytest.raises(auth.AccountError, match="缺少 users"):
        auth.list_users(path)
    assert path.read_text(encoding="utf-8") == '{"accounts": []}'  # nothing imported, nothing moved


# -- login ---------------------------------------------------------------------------------


def test_login_success_gives_a_session_and_is_audited(users):
    session = signin.login(users, "changsha", PASSWORD, now=T0, address="10.0.0.7")
    assert session == auth.Session(
        auth.User("changsha", "town", frozenset({"长沙镇", "掘港街道"}), "长沙镇 张三"),
        T0,
        T0,
        session.id,
    )
    assert len(session.id) == 32
    [active] = sessions.active(auth.store(users), T0, auth.SessionPolicy())
    assert (active.id, active.user.name, active.started_at, active.address) == (
        session.id,
        "changsha",
        T0,
        "10.0.0.7",
    )
    frame = audit.read(path=users.parent / "audit.jsonl")
    assert frame.select("user_name", "role", "action", "scope").rows() == [
        ("changsha", "town", "login", "掘港街道、长沙镇")
    ]


def test_wrong_password_and_unknown_user_get_the_same_message(users):
    with pytest.raises(signin.LoginError) as wrong:
        signin.login(users, "analyst", "wrong-password", now=T0)
    with pytest.raises(signin.LoginError) as unknown:
        signin.login(users, "nobody", PASSWORD, now=T0)
    assert str(wrong.value) == str(unknown.value) == "用户名或密码错误"
    assert type(wrong.value) is type(unknown.value) is signin.LoginError
    assert events(users) == [("analyst", "login_failed"), ("nobody", "login_failed")]


def test_login_with_no_users_file_fails_like_a_wrong_password(tmp_path):
    with pytest.raises(signin.LoginError, match="^用户名或密码错误$"):
        signin.login(tmp_path / "none" / "users.json", "admin", PASSWORD, now=T0)


def fail(users, name, at, times=1):
    for _ in range(times):
        with pytest.raises(signin.LoginError, match="用户名或密码错误"):
            signin.login(users, name, "wrong-password", now=at)


def test_five_failures_lock_the_name_for_fifteen_minutes_then_it_unlocks(users):
    fail(users, "analyst", T0, 4)
    assert signin.login(users, "changsha", PASSWORD, now=T0)  # other names are not affected
    fail(
        users, "analyst", T0 + timedelta(minutes=1)
    )  # the fifth within 15 minutes: locked from now
    locked_at = T0 + timedelta(minutes=1)
    with pytest.raises(signin.LoginLocked, match="请 15 分钟后再试"):
        signin.login(users, "analyst", PASSWORD, now=locked_at)  # even the right password
    with pytest.raises(signin.LoginLocked, match="请 1 分钟后再试"):
        signin.login(
            users, "analyst", PASSWORD, now=locked_at + timedelta(minutes=15) - timedelta(seconds=1)
        )
    session = signin.login(users, "analyst", PASSWORD, now=locked_at + timedelta(minutes=15))
    assert session.user.role == "analyst"
    assert throttled(users) == {}
    assert [a for _, a in events(users)].count("login_locked") == 2


def test_the_lock_is_kept_in_the_database_so_it_survives_a_restart(users):
    fail(users, "analyst", T0, 5)
    assert throttled(users) == {("name", "analyst"): (5, T0 + timedelta(minutes=15))}
    db.dispose()  # a restart: new engine, new connections
    with pytest.raises(signin.LoginLocked):
        signin.login(users, "analyst", PASSWORD, now=T0 + timedelta(minutes=5))


def test_failures_older_than_the_window_do_not_count(users):
    fail(users, "analyst", T0, 4)
    fail(
        users, "analyst", T0 + timedelta(minutes=15)
    )  # the first four fell out of the window: this is the first
    assert signin.login(users, "analyst", PASSWORD, now=T0 + timedelta(minutes=15))


def test_a_success_clears_the_failure_count(users):
    fail(users, "analyst", T0, 4)
    signin.login(users, "analyst", PASSWORD, now=T0)
    fail(users, "analyst", T0, 4)
    assert signin.login(users, "analyst", PASSWORD, now=T0)


def test_unknown_names_lock_too_so_the_lock_says_nothing_about_existence(users):
    fail(users, "nobody", T0, 5)
    with pytest.raises(signin.LoginLocked):
        signin.login(users, "nobody", PASSWORD, now=T0)


def test_the_lockout_policy_is_configurable(users):
    strict = signin.LockoutPolicy(
        max_failures=2, window=timedelta(minutes=5), lock=timedelta(hours=1)
    )
    for _ in range(2):
        with pytest.raises(signin.LoginError):
            signin.login(users, "analyst", "wrong-password", now=T0, lockout=strict)
    with pytest.raises(signin.LoginLocked, match="请 60 分钟后再试"):
        signin.login(users, "analyst", PASSWORD, now=T0, lockout=strict)


# -- sessions ------------------------------------------------------------------------------


def test_idle_timeout_is_thirty_minutes_inclusive(users):
    session = signin.login(users, "analyst", PASSWORD, now=T0)
    touched = signin.check_session(users, session, now=T0 + timedelta(minutes=29, seconds=59))
    assert (
        touched.last_seen_at == T0 + timedelta(minutes=29, seconds=59) and touched.started_at == T0
    )
    # activity restarts the idle clock, in every tab: the old copy is as fresh as the touched one
    assert signin.check_session(users, session, now=T0 + timedelta(minutes=59))
    idle = signin.login(users, "analyst", PASSWORD, now=T0)
    with pytest.raises(auth.SessionExpired, match="已 30 分钟无操作"):
        signin.check_session(users, idle, now=T0 + timedelta(minutes=30))
    with pytest.raises(auth.SessionExpired, match="已在其他页面退出登录"):  # its row is gone
        signin.check_session(users, idle, now=T0 + timedelta(minutes=1))


def test_the_stored_last_seen_moves_at_most_once_a_minute(users):
    """Not a write on every rerun (thirty sessions queued on SQLite's one writer): the row moves
    when a minute has passed since it last did, and the idle clock still runs from it."""
    from kechuang.state import schema

    def stored(session):
        with auth.store(users).connect() as conn:
            t = schema.sessions
            return conn.execute(select(t.c.last_seen_at).where(t.c.id == session.id)).scalar()

    session = signin.login(users, "analyst", PASSWORD, now=T0)
    seen = signin.check_session(users, session, now=T0 + timedelta(seconds=59))
    assert seen.last_seen_at == T0 + timedelta(seconds=59)  # this tab's copy moves every rerun
    assert stored(session) == T0
    signin.check_session(users, session, now=T0 + timedelta(seconds=60))
    assert stored(session) == T0 + timedelta(seconds=60)
    signin.check_session(users, session, now=T0 + timedelta(seconds=119))
    assert stored(session) == T0 + timedelta(seconds=60)
    # Another tab's old copy: idle is counted from the stored minute, not from the last rerun.
    with pytest.raises(auth.SessionExpired, match="已 30 分钟无操作"):
        signin.check_session(users, session, now=T0 + timedelta(minutes=31))


def test_absolute_timeout_is_twelve_hours_however_active(users):
    session = signin.login(users, "analyst", PASSWORD, now=T0)
    at = T0
    while at + timedelta(minutes=20) < T0 + timedelta(hours=12):
        at += timedelta(minutes=20)
        session = signin.check_session(users, session, now=at)
    assert at == T0 + timedelta(hours=11, minutes=40)
    with pytest.raises(auth.SessionExpired, match="登录已满 12 小时"):
        signin.check_session(users, session, now=T0 + timedelta(hours=12))


def test_session_limits_are_configurable_in_code_and_by_environment(users, monkeypatch):
    session = signin.login(users, "analyst", PASSWORD, now=T0)
    short = auth.SessionPolicy(idle=timedelta(minutes=5), absolute=timedelta(hours=1))
    with pytest.raises(auth.SessionExpired, match="已 5 分钟无操作"):
        signin.check_session(users, session, now=T0 + timedelta(minutes=5), policy=short)
    monkeypatch.setenv("KECHUANG_IDLE_MINUTES", "10")
    monkeypatch.setenv("KECHUANG_SESSION_HOURS", "0.5")
    assert auth.SessionPolicy.from_env() == auth.SessionPolicy(
        timedelta(minutes=10), timedelta(minutes=30)
    )
    with pytest.raises(auth.SessionExpired, match="已 10 分钟无操作"):
        signin.check_session(users, session, now=T0 + timedelta(minutes=10))
    monkeypatch.setenv("KECHUANG_IDLE_MINUTES", "abc")
    with pytest.raises(ValueError, match="KECHUANG_IDLE_MINUTES 应为正数"):
        auth.SessionPolicy.from_env()


def test_sessions_end_when_the_account_is_removed_or_its_password_changes(users):
    session = signin.login(users, "analyst", PASSWORD, now=T0)
    auth.set_password(users, "analyst", "another-pass-1", now=T0 + timedelta(minutes=1))
    with pytest.raises(auth.SessionExpired, match="密码已更改"):
        signin.check_session(users, session, now=T0 + timedelta(minutes=2))
    with pytest.raises(signin.LoginError):
        signin.login(users, "analyst", PASSWORD, now=T0 + timedelta(minutes=2))
    session = signin.login(users, "analyst", "another-pass-1", now=T0 + timedelta(minutes=2))
    auth.remove_user(users, "analyst")
    with pytest.raises(auth.SessionExpired, match="账户已被删除"):
        signin.check_session(users, session, now=T0 + timedelta(minutes=3))


def test_changing_the_role_or_towns_ends_the_sessions(users):
    session = signin.login(users, "changsha", PASSWORD, now=T0)
    other = signin.login(users, "analyst", PASSWORD, now=T0)
    assert auth.set_role(users, "changsha", "town", ["长沙镇"]) == auth.User(
        "changsha", "town", frozenset({"长沙镇"}), "长沙镇 张三"
    )
    with pytest.raises(auth.SessionExpired, match="角色或镇区已更改"):
        signin.check_session(users, session, now=T0)
    assert signin.check_session(users, other, now=T0)  # other accounts keep theirs
    fresh = signin.login(users, "changsha", PASSWORD, now=T0)
    assert auth.scope_for(signin.check_session(users, fresh, now=T0).user) == frozenset({"长沙镇"})
    with pytest.raises(auth.AccountError, match="只有镇区账户"):
        auth.set_role(users, "changsha", "leader", ["长沙镇"])
    with pytest.raises(auth.AccountError, match="不存在"):
        auth.set_role(users, "nobody", "leader")


# -- roles, permissions, scope -------------------------------------------------------------

PERMISSION_MATRIX = {  # permission: (admin, analyst, leader, town, share)
    "view_named_tax": (True, True, False, False, False),
    "ingest": (True, True, False, False, False),
    "manage_users": (True, False, False, False, False),
    "view_audit": (True, False, False, False, False),
    "create_share_link": (True, True, False, False, False),
    "view_enterprise_files": (True, True, True, True, False),
    "view_firm_lists": (True, True, True, True, False),
    "download_firm_lists": (True, True, True, True, False),
}


def test_each_role_holds_exactly_its_permissions():
    assert auth.ROLES == {"admin": "管理员", "analyst": "分析员", "leader": "领导", "town": "镇区"}
    assert set(PERMISSION_MATRIX) == set(auth.PERMISSIONS)
    roles = ["admin", "analyst", "leader", "town", "share"]
    for permission, expected in PERMISSION_MATRIX.items():
        got = tuple(
            auth.can(auth.User("u", role, frozenset({"长沙镇"})), permission) for role in roles
        )
        assert got == expected, permission
        assert auth.can(None, permission) is False
    with pytest.raises(KeyError):
        auth.can(auth.User("u", "admin"), "view_everything")


def test_scope_per_role():
    assert auth.scope_for(auth.User("a", "admin")) is None
    assert auth.scope_for(auth.User("a", "analyst")) is None
    assert auth.scope_for(auth.User("l", "leader")) is None
    assert auth.scope_for(auth.User("t", "town", frozenset({"长沙镇", "洋口镇"}))) == frozenset(
        {"长沙镇", "洋口镇"}
    )
    assert (
        auth.scope_for(auth.User("t", "town")) == frozenset()
    )  # a town officer without towns sees nothing
    assert auth.scope_for(auth.User("s", "share", frozenset({"长沙镇"}))) == frozenset({"长沙镇"})
    assert auth.scope_for(auth.User("s", "share")) is None
    assert auth.scope_for(None) == frozenset()
    assert auth.User("t", "town", display_name="张三").label == "张三（镇区）"


def test_role_from_claims():
    assert oidc.role_from_claims({"roles": ["kechuang-analyst"]}) == "analyst"
    assert oidc.role_from_claims({"roles": "openid kechuang-leader"}) == "leader"
    assert (
        oidc.role_from_claims({"roles": ["Kechuang-Admin", "kechuang-town"]}) == "admin"
    )  # most privileged wins
    assert oidc.role_from_claims({"roles": ["town", "leader"]}) == "leader"
    assert oidc.role_from_claims({"roles": ["分析员"]}) == "analyst"
    assert oidc.role_from_claims({"groups": ["kechuang-admin"]}, claim="groups") == "admin"
    assert (
        oidc.role_from_claims({"roles": ["kechuang-share", "other-app-admin", "superuser"]}) is None
    )
    assert oidc.role_from_claims({"email": "a@b.cn"}) is None
    assert oidc.role_from_claims(None) is None


def test_user_from_claims():
    claims = {
        "sub": "x1",
        "preferred_username": "zhangsan",
        "name": "张三",
        "roles": ["kechuang-town"],
        "towns": "长沙镇、洋口镇",
    }
    assert oidc.user_from_claims(claims) == auth.User(
        "zhangsan", "town", frozenset({"长沙镇", "洋口镇"}), "张三"
    )
    assert oidc.user_from_claims(
        {"sub": "x2", "roles": ["kechuang-leader"], "towns": ["长沙镇"]}
    ) == auth.User("x2", "leader")
    assert oidc.user_from_claims({"sub": "x3"}) is None


# -- demo accounts -------------------------------------------------------------------------


def test_demo_users_are_created_only_when_there_is_no_account(tmp_path):
    path = tmp_path / "instance" / "users.json"
    assert auth.ensure_demo_users(path) is True
    assert auth.ensure_demo_users(path) is False
    assert [(u.name, u.role, u.towns) for u in auth.list_users(path)] == [
        ("admin", "admin", frozenset()),
        ("analyst", "analyst", frozenset()),
        ("changsha", "town", frozenset({"长沙镇"})),
        ("leader", "leader", frozenset()),
    ]
    for name, role, password, _display, _towns in auth.DEMO_ACCOUNTS:
        assert signin.login(path, name, password, now=T0).user.role == role


def test_default_paths_follow_the_environment(tmp_path, monkeypatch):
    assert auth.users_path() == tmp_path / "instance" / "users.json"
    assert auth.instance_dir() == tmp_path / "instance"
    monkeypatch.delenv("KECHUANG_USERS")
    assert auth.users_path() == settings.ROOT / "instance" / "users.json"


# -- the users command ---------------------------------------------------------------------


def cli(capsys, monkeypatch, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_users_add_list_remove_round_trip(tmp_path, capsys, monkeypatch):
    path = tmp_path / "etc" / "users.json"
    code, out, _ = cli(
        capsys,
        monkeypatch,
        "users",
        "add",
        "Zhang",
        "--role",
        "town",
        "--town",
        "长沙镇",
        "洋口镇",
        "--display-name",
        "张三",
        "--password-stdin",
        "--users",
        path,
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and out == "已新增账户 张三（镇区）：zhang，镇区：洋口镇、长沙镇\n"
    code, _, _ = cli(
        capsys,
        monkeypatch,
        "users",
        "add",
        "li",
        "--role",
        "leader",
        "--password-stdin",
        "--users",
        path,
        stdin=PASSWORD + "\n",
    )
    assert code == 0
    code, out, _ = cli(capsys, monkeypatch, "users", "list", "--json", "--users", path)
    assert code == 0 and json.loads(out) == [
        {"name": "li", "role": "leader", "role_label": "领导", "towns": [], "display_name": ""},
        {
            "name": "zhang",
            "role": "town",
            "role_label": "镇区",
            "towns": ["洋口镇", "长沙镇"],
            "display_name": "张三",
        },
    ]
    assert signin.login(path, "zhang", PASSWORD, now=T0).user.towns == frozenset(
        {"长沙镇", "洋口镇"}
    )
    code, out, _ = cli(capsys, monkeypatch, "users", "list", "--users", path)
    assert code == 0 and "洋口镇、长沙镇" in out and "领导" in out and "共 2 行" in out
    code, out, _ = cli(
        capsys,
        monkeypatch,
        "users",
        "passwd",
        "li",
        "--password-stdin",
        "--users",
        path,
        stdin="new-secret-1\n",
    )
    assert code == 0 and signin.login(path, "li", "new-secret-1", now=T0)
    code, out, _ = cli(capsys, monkeypatch, "users", "remove", "zhang", "--users", path)
    assert code == 0 and out == "已删除账户 zhang\n"
    assert [u.name for u in auth.list_users(path)] == ["li"]
    actions = [
        a
        for u, a in zip(
            *audit.read(path=path.parent / "audit.jsonl").select("user_name", "action"), strict=True
        )
        if u.startswith("cli")
    ]
    assert actions == ["user_added", "user_added", "password_changed", "user_removed"]


def test_cli_users_reads_the_path_from_the_environment(tmp_path, capsys, monkeypatch):
    code, out, _ = cli(capsys, monkeypatch, "users", "list")
    assert code == 0 and "尚无账户" in out
    code, _, _ = cli(
        capsys,
        monkeypatch,
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert code == 0 and [
        u.name for u in auth.list_users(tmp_path / "instance" / "users.json")
    ] == ["admin"]


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["users", "add", "bob", "--role", "boss", "--password-stdin"],
            PASSWORD,
            "未知角色：'boss'",
        ),
        (
            ["users", "add", "bob", "--role", "town", "--password-stdin"],
            PASSWORD,
            "镇区账户须用 --town",
        ),
        (
            ["users", "add", "bob", "--role", "analyst", "--password-stdin"],
            "short\n",
            "密码至少 10 个字符",
        ),
        (["users", "add", "bob", "--role", "analyst", "--password-stdin"], "\n", "密码为空"),
        (["users", "add", "bob", "--password-stdin"], PASSWORD, "参数有误"),
        (["users", "remove", "nobody"], "", "用户 nobody 不存在"),
        (["users", "passwd", "nobody", "--password-stdin"], PASSWORD, "用户 nobody 不存在"),
        (["users", "frobnicate"], "", "参数有误"),
    ],
)
def test_cli_users_bad_input_exits_2_with_one_line(capsys, monkeypatch, argv, stdin, message):
    code, out, err = cli(capsys, monkeypatch, *argv, stdin=stdin)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_passwd_prompts_twice_without_stdin(users, capsys, monkeypatch):
    answers = iter(["new-secret-1", "new-secret-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = cli(capsys, monkeypatch, "users", "passwd", "analyst", "--users", users)
    assert code == 2 and "两次输入的密码不一致" in err
    answers = iter(["new-secret-1", "new-secret-1"])
    code, _, _ = cli(capsys, monkeypatch, "users", "passwd", "analyst", "--users", users)
    assert code == 0 and signin.login(users, "analyst", "new-secret-1", now=T0)


def test_the_access_control_modules_import_without_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, kechuang.access.auth, kechuang.access.share, kechuang.access.audit, "
        "kechuang.access.redact; print('streamlit' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=settings.ROOT
    )
    assert result.stdout.strip() == "False"
