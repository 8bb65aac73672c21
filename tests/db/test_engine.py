"""The engine: URL normalisation, SQLite tuning, and transactions that commit or roll back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db.engine import Database, make_engine, normalize_url
from tests.helpers import TEAM, add_client


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example.com:5432/touchbase", "postgresql+psycopg://u:p@db.example.com:5432/touchbase"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        ("postgresql://h/db?sslmode=require", "postgresql+psycopg://h/db?sslmode=require"),
        ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
        ("sqlite:///touchbase.db", "sqlite:///touchbase.db"),
        ("sqlite:////abs/path/touchbase.db", "sqlite:////abs/path/touchbase.db"),
        ("sqlite://", "sqlite://"),
    ],
)  # fmt: skip
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_are_driven_with_psycopg_3(url: str) -> None:
    parsed = make_url(normalize_url(url))
    assert (parsed.get_backend_name(), parsed.get_driver_name()) == ("postgresql", "psycopg")
    engine = make_engine(url)  # no connection is made until one is needed
    try:
        assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    finally:
        engine.dispose()


def test_sqlite_is_tuned_on_connect(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'tuned.db'}")
    try:
        assert db.dialect == "sqlite"
        with db.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 10000
        assert db.ping()
    finally:
        db.dispose()


def test_a_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction(write=True) as session:
        session.execute(
            text(
                "INSERT INTO rep (team_id, user_id, display_name, tz, is_admin, active) "
                "VALUES (:team, 'U0X', 'x', 'UTC', false, true)"
            ),
            {"team": TEAM},
        )
        raise RuntimeError("boom")
    with db.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM rep")).scalar() == 0


def test_a_transaction_commits_on_success(db: Database) -> None:
    add_client(db, "Acme")
    with db.transaction() as session:
        assert session.execute(text("SELECT name FROM client")).scalars().all() == ["Acme"]


def test_ping_is_false_when_the_database_is_unreachable(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    try:
        assert db.ping() is False
    finally:
        db.dispose()
