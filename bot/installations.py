"""OAuth mode's installations: slack_sdk's SQLAlchemy installation and OAuth state stores over
Touchbase's own tables (bot.db.schema, made by Alembic), every token Fernet-encrypted at rest,
and the Web API client of each installed workspace.

A token is decrypted only on its way to Slack: the stores' tables here are copies of the
schema's whose token columns encrypt what is written and decrypt what is read, so slack_sdk's
own queries never see a token in the clear in the database.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import (
    ColumnElement,
    Dialect,
    MetaData,
    Table,
    Text,
    TypeDecorator,
    desc,
    select,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db.schema import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES, SLACK_ORG_TEAMS
from bot.webapi import make_client

log = logging.getLogger(__name__)

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# Refresh a rotating token this long before it expires (Bolt's default too).
ROTATE_BEFORE_MINUTES = 120
# How long an Add to Slack link's state stays good.
STATE_SECONDS = 600


class NotInstalled(Exception):
    """Touchbase has no token for the workspace: never installed, uninstalled, or revoked.
    Nothing is sent to it, and no other workspace's token stands in."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"Touchbase isn't installed in workspace {team_id}")
        self.team_id = team_id


class _Sealed(TypeDecorator[str]):
    """Text encrypted with a Fernet key: written encrypted, read back in the clear."""

    impl = Text
    cache_ok = False  # holds a key: never share a compiled form across keys

    def __init__(self, fernet: Fernet) -> None:
        super().__init__()
        self._fernet = fernet

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._fernet.decrypt(value.encode()).decode()


def _sealed(table: Table, key: str) -> Table:
    """A copy of `table` whose token columns are encrypted with `key`."""
    copy = table.to_metadata(MetaData())
    for name in TOKEN_COLUMNS:
        if name in copy.c:
            copy.c[name].type = _Sealed(Fernet(key))
    return copy


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, on Touchbase's tables, with the tokens encrypted with `key`."""

    def __init__(self, client_id: str, engine: Engine, key: str) -> None:
        # slack_sdk writes by reading a row, then writing, in one transaction. On SQLite a
        # transaction begun deferred fails at once ("database is locked") when another writer
        # came in between; begun IMMEDIATE it waits its turn (bot.db.engine). A refreshed token
        # lost that way would be lost for good: its refresh token works once.
        sqlite = engine.dialect.name == "sqlite"
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if sqlite else engine
        super().__init__(client_id=client_id, engine=writer, logger=log)
        # Touchbase's own reads here, on every request: never in a writer's queue.
        self.reader = engine
        self.bots = _sealed(SLACK_BOTS, key)
        self.installations = _sealed(SLACK_INSTALLATIONS, key)
        self.metadata = self.bots.metadata

    def create_tables(self) -> None:
        raise NotImplementedError("Alembic makes the tables: `touchbase db upgrade`")

    def latest_bot(self, team_id: str) -> Bot | None:
        """The workspace's newest bot token, whichever organization it belongs to."""
        return self._newest(self.bots.c.team_id == team_id)

    def org_bot(self, enterprise_id: str) -> Bot | None:
        """The newest bot token of the organization's org-wide install (Enterprise Grid)."""
        c = self.bots.c
        return self._newest(c.enterprise_id == enterprise_id, c.is_enterprise_install)

    def _newest(self, *where: ColumnElement[bool]) -> Bot | None:
        c = self.bots.c
        query = (
            select(self.bots)
            .where(c.client_id == self.client_id, c.bot_token.is_not(None), *where)
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        with self.reader.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else self.build_bot_entity(row)


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store on Touchbase's table: a state works once, for STATE_SECONDS."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(expiration_seconds=STATE_SECONDS, engine=engine, logger=log)
        self.oauth_states = SLACK_OAUTH_STATES
        self.metadata = SLACK_OAUTH_STATES.metadata

    def create_tables(self) -> None:
        raise NotImplementedError("Alembic makes the tables: `touchbase db upgrade`")


class Workspaces:
    """The Web API client of each installed workspace, carrying that workspace's token and
    webapi's retry policy. A rotating token is refreshed when it is due, and saved."""

    def __init__(
        self,
        settings: Settings,
        store: InstallationStore,
        *,
        timeout: int | None = None,
        backoff: float = 0.5,
    ) -> None:
        assert settings.client_id is not None and settings.client_secret is not None
        self.store = store
        self._settings = settings
        self._timeout = timeout
        self._backoff = backoff
        self._rotator = TokenRotator(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            client=self._client(None),
        )
        # Guards the dictionaries below, never a call to Slack or the database.
        self._lock = threading.Lock()
        # team ID -> (token, client): a new client only when the token changed.
        self._clients: dict[str, tuple[str, WebClient]] = {}
        # An install (organization, workspace) -> the lock its refreshes take turns under.
        self._refreshes: dict[tuple[str | None, str | None], threading.Lock] = {}
        # team ID -> the organization whose org-wide install serves it, as recorded.
        self._links: dict[str, str] = {}

    def _client(self, token: str | None) -> WebClient:
        return make_client(
            self._settings, token=token, timeout=self._timeout, backoff=self._backoff
        )

    def bot(self, team_id: str, enterprise_id: str | None = None) -> Bot:
        """The bot that acts for workspace `team_id`: its own install's, else the org-wide
        install's of its organization (Enterprise Grid), with a rotating token refreshed and
        saved when due. `enterprise_id`, from a request Slack signed, names the organization and
        links the workspace to it; without it, the link a request recorded earlier. NotInstalled
        when Touchbase has no token there."""
        bot = self._find(team_id, enterprise_id)
        if not _due(bot):
            return bot  # every request asks: no lock until a refresh is due
        # One refresh of an install at a time (a refresh token works once), while other
        # installs' calls and refreshes go on: a slow refresh holds up its own workspace only.
        with self._lock:
            turn = self._refreshes.setdefault((bot.enterprise_id, bot.team_id), threading.Lock())
        with turn:
            bot = self._find(team_id, enterprise_id)  # perhaps refreshed while this waited
            try:
                fresh = self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
                )
            except SlackTokenRotationError as error:
                log.warning("Couldn't refresh workspace %s's token: %s", team_id, _error(error))
                raise NotInstalled(team_id) from None
            if fresh is not None:
                self.store.save_bot(fresh)
                bot = fresh
            return bot

    def _find(self, team_id: str, enterprise_id: str | None) -> Bot:
        bot = self.store.latest_bot(team_id) or self._org_bot(team_id, enterprise_id)
        if bot is None:
            raise NotInstalled(team_id)
        return bot

    def client(self, team_id: str) -> WebClient:
        """The client for `team_id`; NotInstalled when Touchbase has no token there."""
        token = self.bot(team_id).bot_token
        assert token is not None  # the store finds only bots with a token
        with self._lock:
            known = self._clients.get(team_id)
            if known is None or known[0] != token:
                known = self._clients[team_id] = (token, self._client(token))
            return known[1]

    def _org_bot(self, team_id: str, enterprise_id: str | None) -> Bot | None:
        enterprise = enterprise_id or self._organization(team_id)
        if enterprise is None:
            return None
        bot = self.store.org_bot(enterprise)
        if bot is not None and self._links.get(team_id) != enterprise:
            self._link(team_id, enterprise)
        return bot

    def _organization(self, team_id: str) -> str | None:
        """The organization a request showed the workspace under, if any."""
        if team_id not in self._links:
            c = SLACK_ORG_TEAMS.c
            with self.store.reader.connect() as connection:
                found = connection.scalar(select(c.enterprise_id).where(c.team_id == team_id))
            if found is None:
                return None
            self._links[team_id] = found
        return self._links[team_id]

    def _link(self, team_id: str, enterprise_id: str) -> None:
        engine = self.store.engine
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(SLACK_ORG_TEAMS).values(team_id=team_id, enterprise_id=enterprise_id)
        with engine.begin() as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[SLACK_ORG_TEAMS.c.team_id],
                    set_={"enterprise_id": enterprise_id},
                )
            )
        self._links[team_id] = enterprise_id
        log.info("workspace %s is served by its organization %s's install", team_id, enterprise_id)

    def installed(self) -> set[str]:
        """The workspaces that have a bot token: their own, or their organization's."""
        c, org = self.store.bots.c, SLACK_ORG_TEAMS.c
        mine = (c.client_id == self.store.client_id) & c.bot_token.is_not(None)
        own = select(c.team_id).where(mine, c.team_id.is_not(None))
        covered = select(org.team_id).join(
            self.store.bots, (c.enterprise_id == org.enterprise_id) & c.is_enterprise_install
        )
        with self.store.reader.connect() as connection:
            found = connection.execute(union(own, covered.where(mine))).scalars()
            return {str(t) for t in found}

    def teams_of(self, enterprise_id: str) -> set[str]:
        """The workspaces requests have shown under the organization."""
        c = SLACK_ORG_TEAMS.c
        with self.store.reader.connect() as connection:
            found = connection.execute(select(c.team_id).where(c.enterprise_id == enterprise_id))
            return {str(t) for t in found.scalars()}


def _due(bot: Bot) -> bool:
    """Whether the bot's token is to be refreshed now (as TokenRotator decides)."""
    expires = bot.bot_token_expires_at
    return expires is not None and expires <= time.time() + ROTATE_BEFORE_MINUTES * 60


def _error(error: SlackTokenRotationError) -> Any:
    return error.api_error.response.get("error")


def rekey(engine: Engine, old_key: str, new_key: str) -> int:
    """Encrypt every stored token with `new_key` instead of `old_key`, in one transaction.
    Returns the rows rewritten. A token that `old_key` can't read stops it, changing nothing."""
    count = 0
    with engine.begin() as connection:
        for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
            old, new = _sealed(table, old_key), _sealed(table, new_key)
            columns = [old.c[name] for name in TOKEN_COLUMNS if name in old.c]
            try:
                rows = connection.execute(select(old.c.id, *columns)).mappings().all()
            except InvalidToken:
                raise ValueError(
                    f"a token in {table.name} isn't encrypted with the old key"
                ) from None
            for row in rows:
                values = {c.name: row[c.name] for c in columns}
                connection.execute(update(new).where(new.c.id == row["id"]).values(**values))
                count += 1
    return count
