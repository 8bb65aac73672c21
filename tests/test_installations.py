"""The installation store's writes on SQLite: a refreshed token is saved even while another
writer holds the database, instead of failing at once and being lost (its refresh token works
once)."""

from __future__ import annotations

import threading
import time

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from sqlalchemy import insert

from bot.db.engine import Database
from bot.db.schema import SLACK_ORG_TEAMS
from bot.installations import InstallationStore

KEY = Fernet.generate_key().decode()


def bot(token: str) -> Bot:
    return Bot(
        app_id="A0TOUCH",
        team_id="T0ONE",
        bot_token=token,
        bot_id="B0TOUCHBOT",
        bot_user_id="U0TOUCHBOT",
        installed_at=1_700_000_000.0,
    )


def test_a_save_waits_for_another_writer_instead_of_failing(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's row locks never fail a writer at once")
    store = InstallationStore("1.2", db.engine, KEY)
    store.save_bot(bot("xoxe.xoxb-first"))
    saved = threading.Event()
    failures: list[Exception] = []

    def save_refreshed() -> None:
        try:
            store.save_bot(bot("xoxe.xoxb-refreshed"))
            saved.set()
        except Exception as error:
            failures.append(error)

    # Another writer holds the database while the refreshed token is saved (as the web app's
    # replay check, or a /touch, does at any moment).
    with db.transaction(write=True) as session:
        session.execute(insert(SLACK_ORG_TEAMS).values(team_id="T0TWO", enterprise_id="E0ORG"))
        saving = threading.Thread(target=save_refreshed)
        saving.start()
        time.sleep(0.3)
        assert not saved.is_set()  # it waits its turn
    saving.join(timeout=10)
    assert failures == [] and saved.is_set()
    found = store.latest_bot("T0ONE")
    assert found is not None and found.bot_token == "xoxe.xoxb-refreshed"
