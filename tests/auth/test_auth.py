"""Passwords, rate-limited sign-in and API tokens, on both databases."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from osatnet.auth import Auth, TooManyAttempts
from osatnet.auth.models import ApiToken
from osatnet.db import Database
from osatnet.errors import InputError, NotFoundError, PermissionDenied
from osatnet.registry import Registry, UserRole
from osatnet.registry.models import User
from osatnet.vault import Vault
from tests.helpers import run_cli, write_registry

PASSWORD = "correct horse battery"


@pytest.fixture
def auth(db: Database, tmp_path: Path) -> Auth:
    reg = Registry(db)
    reg.import_path(write_registry(tmp_path / "in"))
    reg.add_user("alice", "member_admin", member_id="m1")
    reg.add_user("sec", "secretariat")
    reg.add_user("aud", "auditor")
    a = Auth(db, max_failures=3, window=timedelta(minutes=10))
    a.set_password("alice", PASSWORD)
    return a


def test_sign_in(auth: Auth) -> None:
    actor = auth.sign_in("alice", PASSWORD, client="127.0.0.1")
    assert (actor.username, actor.role, actor.member_id) == ("alice", UserRole.MEMBER_ADMIN, "m1")
    with auth.db.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "alice"))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    logins = [e for e in Vault(auth.db, "aud").audit_entries() if e.action == "login"]
    assert logins[-1].actor == "alice"


def test_wrong_password_and_unknown_user_look_alike(auth: Auth) -> None:
    with pytest.raises(PermissionDenied, match=r"^wrong username or password$"):
        auth.sign_in("alice", "not the password")
    with pytest.raises(PermissionDenied, match=r"^wrong username or password$"):
        auth.sign_in("mallory", PASSWORD)
    with pytest.raises(PermissionDenied, match=r"^wrong username or password$"):
        auth.sign_in("sec", "no password was ever set")


def test_repeated_failures_are_rate_limited(auth: Auth) -> None:
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            auth.sign_in("alice", "guess")
    with pytest.raises(
        TooManyAttempts, match="too many failed sign-ins for 'alice'; try again in 10"
    ):
        auth.sign_in("alice", PASSWORD)  # even the right password waits


def test_deactivated_user_cannot_sign_in(auth: Auth) -> None:
    with auth.db.session() as s:
        s.execute(update(User).where(User.username == "alice").values(active=False))
    with pytest.raises(PermissionDenied):
        auth.sign_in("alice", PASSWORD)


def test_short_password_and_unknown_user(auth: Auth) -> None:
    with pytest.raises(InputError, match="at least 10 characters, got 3"):
        auth.set_password("alice", "abc")
    with pytest.raises(NotFoundError, match="no user 'bob'"):
        auth.set_password("bob", PASSWORD)


def test_tokens(auth: Auth) -> None:
    issued = auth.create_token("alice", "nightly upload", days=30)
    assert issued.token.startswith("osn_") and issued.prefix == issued.token[:12]
    assert auth.actor_for_token(issued.token).member_id == "m1"
    with auth.db.session() as s:
        stored = s.scalar(select(ApiToken.token_hash))
    assert stored is not None and issued.token not in stored
    with pytest.raises(PermissionDenied, match="invalid or revoked"):
        auth.actor_for_token(issued.token + "x")
    assert auth.revoke_token("alice", issued.prefix) == 1
    with pytest.raises(PermissionDenied, match="invalid or revoked"):
        auth.actor_for_token(issued.token)


def test_expired_token(auth: Auth) -> None:
    issued = auth.create_token("alice", "short", days=1)
    with auth.db.session() as s:
        row = s.scalar(select(ApiToken))
        assert row is not None and row.expires_at is not None
        row.expires_at = row.expires_at - timedelta(days=2)
    with pytest.raises(PermissionDenied, match="expired"):
        auth.actor_for_token(issued.token)


def test_language_preference(auth: Auth) -> None:
    assert auth.language("alice") is None
    auth.set_language("alice", "ja")
    assert auth.language("alice") == "ja"
    with pytest.raises(InputError, match="en or ja"):
        auth.set_language("alice", "fr")


def test_cli(
    auth: Auth, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSATNET_DATABASE_URL", auth.db.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("another good password\n"))
    assert run_cli(capsys, "users", "set-password", "sec", "--stdin").code == 0
    assert auth.sign_in("sec", "another good password").role is UserRole.SECRETARIAT
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    empty = run_cli(capsys, "users", "set-password", "sec", "--stdin")
    assert (empty.code, empty.err.strip()) == (2, "error: the password is empty")
    made = json.loads(run_cli(capsys, "tokens", "create", "alice", "--name", "ci", "--json").out)
    assert auth.actor_for_token(made["token"]).username == "alice"
    plain = run_cli(capsys, "tokens", "create", "alice", "--days", "0")
    assert "expires never" in plain.out
    assert "revoked 1" in run_cli(capsys, "tokens", "revoke", "alice", made["prefix"]).out
    missing = run_cli(capsys, "tokens", "revoke", "alice", "osn_nothing")
    assert missing.code == 2 and "has no token starting" in missing.err
