"""The OAuth-mode web app for the tests of OAuth mode (tests/slack/hosting.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db.engine import Database
from bot.devtools.standin import SlackStandIn
from tests.conftest import _Dispatcher
from tests.slack.hosting import Hosted, hosting


@pytest.fixture
def hosted(
    _server: tuple[_Dispatcher, str], slack: SlackStandIn, db: Database, database_url: str
) -> Iterator[Hosted]:
    with hosting(_server, slack, db, database_url) as app:
        yield app
