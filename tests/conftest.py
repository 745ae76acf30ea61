"""Every test runs with its own instance folder (users, audit log, share links); every AppTest
starts signed in.

The demo accounts are hashed once per run (argon2 is slow on purpose) and copied into each test's
folder, so a test that locks an account out or revokes a link cannot touch another.
AppTest.from_file returns an app signed in as the demo analyst (the role that sees everything);
access-control tests sign in as another role with `sign_in(at, name)` or clear the session with
`sign_out(at)`."""

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures import sign_in  # noqa: E402


@pytest.fixture(scope="session")
def demo_users_file(tmp_path_factory) -> Path:
    from kechuang.access import auth

    path = tmp_path_factory.mktemp("accounts") / "users.json"
    auth.ensure_demo_users(path)
    return path


@pytest.fixture(autouse=True)
def instance(tmp_path, monkeypatch, demo_users_file) -> Path:
    folder = (
        tmp_path / "app_instance"
    )  # not "instance": auth/audit/share tests build their own there
    folder.mkdir()
    shutil.copy(demo_users_file, folder / "users.json")
    monkeypatch.setenv("KECHUANG_USERS", str(folder / "users.json"))
    for name in ("KECHUANG_AUDIT", "KECHUANG_SECRET", "KECHUANG_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(autouse=True)
def signed_in_apps(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from kechuang.access import auth

    def signed(original):
        def make(cls, *args, **kwargs):
            at = original(cls, *args, **kwargs)
            path = auth.users_path()
            return (
                sign_in(at)
                if path.exists() and any(u.name == "analyst" for u in auth.list_users(path))
                else at
            )

        return classmethod(make)

    for name in ("from_file", "from_function", "from_string"):
        monkeypatch.setattr(AppTest, name, signed(getattr(AppTest, name).__func__))
