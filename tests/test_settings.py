"""kechuang/settings.py: every KECHUANG_* variable typed, defaulted, checked; the README agrees."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from kechuang import settings
from kechuang.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_of_an_empty_environment():
    s = settings.load({})
    assert s.data is None and s.demo and s.data_dir == ROOT / "data" / "demo"
    assert s.users == ROOT / "instance" / "users.json"
    assert s.instance_dir == ROOT / "instance"
    assert s.audit is None and s.secret is None
    assert s.base_url == "http://localhost:8501"
    assert s.idle == timedelta(minutes=30) and s.session == timedelta(hours=12)
    assert s.state == f"sqlite:///{ROOT / 'instance' / 'state.db'}"


def test_values_are_typed():
    s = settings.load(
        {
            "KECHUANG_DATA": "/srv/data",
            "KECHUANG_USERS": "/var/lib/kc/users.json",
            "KECHUANG_AUDIT": "/var/log/kc.jsonl",
            "KECHUANG_SECRET": "k" * 32,
            "KECHUANG_BASE_URL": "https://kc.rudong.example/kc/",
            "KECHUANG_IDLE_MINUTES": "10",
            "KECHUANG_SESSION_HOURS": "0.5",
            "KECHUANG_STATE": "postgresql+psycopg://kc@localhost/kc",
        }
    )
    assert s.data_dir == Path("/srv/data") and not s.demo
    assert s.instance_dir == Path("/var/lib/kc") and s.audit == Path("/var/log/kc.jsonl")
    assert s.secret == "k" * 32
    assert s.base_url == "https://kc.rudong.example/kc"
    assert s.idle == timedelta(minutes=10) and s.session == timedelta(minutes=30)
    assert s.state == "postgresql+psycopg://kc@localhost/kc"
    # the state database follows the users file's folder when not set
    assert settings.load({"KECHUANG_USERS": "/x/u.json"}).state == "sqlite:////x/state.db"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("KECHUANG_IDLE_MINUTES", "abc", "环境变量 KECHUANG_IDLE_MINUTES 应为正数，现为 'abc'"),
        ("KECHUANG_IDLE_MINUTES", "0", "环境变量 KECHUANG_IDLE_MINUTES 应为正数，现为 '0'"),
        ("KECHUANG_SESSION_HOURS", "-1", "环境变量 KECHUANG_SESSION_HOURS 应为正数，现为 '-1'"),
        ("KECHUANG_SESSION_HOURS", "nan", "环境变量 KECHUANG_SESSION_HOURS 应为正数，现为 'nan'"),
        ("KECHUANG_SECRET", "s" * 31, "环境变量 KECHUANG_SECRET 太短：至少 32 个字符"),
        (
            "KECHUANG_BASE_URL",
            "kc.rudong",
            "环境变量 KECHUANG_BASE_URL 应为 http:// 或 https:// 开头",
        ),
        ("KECHUANG_STATE", "not a url", "环境变量 KECHUANG_STATE 应为 SQLAlchemy 数据库地址"),
    ],
)
def test_a_bad_value_is_one_chinese_line(name, value, message):
    with pytest.raises(settings.SettingsError) as err:
        settings.load({name: value})
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_secret_boundary():
    assert settings.load({"KECHUANG_SECRET": "s" * 32}).secret == "s" * 32


def test_the_cli_stops_at_start_on_a_bad_value(monkeypatch, capsys):
    monkeypatch.setenv("KECHUANG_SESSION_HOURS", "twelve")
    assert main(["progress", "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "错误：环境变量 KECHUANG_SESSION_HOURS 应为正数，现为 'twelve'\n"


def test_the_app_stops_at_start_on_a_bad_value(monkeypatch):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    monkeypatch.setenv("KECHUANG_BASE_URL", "ftp://kc")
    at.run()
    assert [e.value for e in at.error] == [
        "配置有误：环境变量 KECHUANG_BASE_URL 应为 http:// 或 https:// 开头的网址，现为 'ftp://kc'"
    ]
    assert not at.text_input  # no login form: nothing else ran


def reads_kechuang_variables(text: str) -> bool:
    # The environment read anywhere in a file that names a KECHUANG_* variable (a name kept in a
    # constant and read later counts too). Other variables (e.g. FONTCONFIG_FILE for LibreOffice)
    # are not settings of ours.
    return bool(re.search(r"environ|getenv", text)) and bool(re.search(r"[\"']KECHUANG_", text))


def test_only_settings_reads_the_environment():
    files = [ROOT / "app.py"] + [
        path for folder in ("kechuang", "views") for path in (ROOT / folder).rglob("*.py")
    ]
    readers = [
        str(path.relative_to(ROOT))
        for path in files
        if reads_kechuang_variables(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["kechuang/settings.py"]
    assert reads_kechuang_variables('x = os.environ.get("KECHUANG_DATA")')
    assert not reads_kechuang_variables('env = {**os.environ, "FONTCONFIG_FILE": path}')


def test_the_readme_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(KECHUANG_[A-Z_]+)` \|", section, flags=re.M)
    assert rows == list(settings.VARIABLES)
    source = (ROOT / "kechuang" / "settings.py").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r'"(KECHUANG_[A-Z_]+)"', source))) == sorted(settings.VARIABLES)
