"""OAuth mode's install flow: Bolt's, with slack_sdk's stores on Touchbase's tables
(bot.installations), our own pages, and every Slack endpoint reached through SLACK_API_URL and
SLACK_AUTHORIZE_URL (so the whole flow runs against the local stand-in too)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.deps import Deps
from bot.installations import (
    ROTATE_BEFORE_MINUTES,
    STATE_SECONDS,
    NotInstalled,
    OAuthStateStore,
    Workspaces,
)
from bot.manifest import REDIRECT_PATH
from bot.services import uninstall
from bot.ui.install import install_page, installed_page, not_installed_page, org_installed_page

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
# How long Bolt's check of a token (auth.test) holds for the requests that follow. An uninstall
# still stops a workspace at once: its token is deleted, and the store is read on every request.
AUTH_CHECK_SECONDS = 600
# Where an Enterprise Grid admin adds an org-wide app to the organization's workspaces.
ORG_MANAGE_URL = "https://app.slack.com/manage"


def _html() -> dict[str, str | Sequence[str]]:
    return {"Content-Type": "text/html; charset=utf-8"}


class _Flow(OAuthFlow):
    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)


def oauth_flow(deps: Deps) -> OAuthFlow:
    """Bolt's OAuth flow for `deps` in OAuth mode."""
    settings, workspaces = deps.settings, deps.workspaces
    assert workspaces is not None, "OAuth mode only"

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        team_id, org = installation.team_id, installation.enterprise_id
        if installation.is_enterprise_install and org:
            log.info("Touchbase was installed in organization %s, org-wide", org)
            for team in workspaces.teams_of(org):  # a reinstall within the grace period
                uninstall.seen(deps, team, deps.clock())
            # Slack adds an org-wide app to no workspace until an admin chooses them.
            choose = f"{ORG_MANAGE_URL}/{org}/integrations/profile/{installation.app_id}"
            page = org_installed_page(choose + "/workspaces/add")
            return BoltResponse(status=200, body=page, headers=_html())
        log.info("Touchbase was installed in workspace %s", team_id)
        if team_id:
            # A reinstall within the grace period: sending resumes, and no purge is due.
            uninstall.seen(deps, team_id, deps.clock())
        home = f"slack://app?team={team_id}&id={installation.app_id}&tab=home"
        return BoltResponse(status=200, body=installed_page(home), headers=_html())

    def failure(args: FailureArgs) -> BoltResponse:
        log.info("An install didn't complete: %s", args.reason)
        return BoltResponse(
            status=args.suggested_status_code,
            body=not_installed_page(args.reason, INSTALL_PATH),
            headers=_html(),
        )

    redirect_uri = settings.public_url + REDIRECT_PATH if settings.public_url else None
    return _Flow(
        client=deps.slack,  # token exchange and rotation through SLACK_API_URL
        logger=log,
        settings=OAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(settings.scopes),
            redirect_uri=redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            callback_options=CallbackOptions(success=success, failure=failure),
            authorization_url=settings.authorize_url,
            installation_store=workspaces.store,
            # Only the bot's token is kept: Touchbase asks for no user scopes.
            installation_store_bot_only=True,
            token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
            state_store=OAuthStateStore(deps.db.engine),
            state_expiration_seconds=STATE_SECONDS,
            logger=log,
        ),
    )


class WorkspaceAuthorize(Authorize):
    """Bolt's authorization of each request in OAuth mode, with the token of the request's
    workspace, or of its organization's org-wide install, from Workspaces: a rotating token is
    refreshed there under one lock, so a burst of requests spends a refresh token once. Bolt
    checks the token with auth.test; here once per AUTH_CHECK_SECONDS, not on every request."""

    def __init__(
        self,
        workspaces: Workspaces,
        *,
        seconds: float = AUTH_CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._workspaces = workspaces
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        # token -> (when it was checked, auth.test's answer)
        self._checked: dict[str, tuple[float, SlackResponse]] = {}

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: Any,
    ) -> AuthorizeResult | None:
        if team_id is None:
            return None
        try:
            bot = self._workspaces.bot(team_id, enterprise_id)
            token = bot.bot_token
            assert token is not None  # the store finds only bots with a token
            check = self._check(context.client, token)
        except NotInstalled:
            return None
        except SlackApiError as error:
            log.warning("Workspace %s's token failed its check: %s", team_id, _name(error))
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            # An org-wide install's token serves every workspace of its organization: the
            # request acts for its own.
            team_id=bot.team_id or team_id,
            team=check.get("team"),
            url=check.get("url"),
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_token=token,
            bot_scopes=bot.bot_scopes,
        )

    def _check(self, client: WebClient, token: str) -> SlackResponse:
        now = self._clock()
        with self._lock:
            known = self._checked.get(token)
        if known is not None and now - known[0] < self._seconds:
            return known[1]
        answer = client.auth_test(token=token)
        with self._lock:
            # Tokens checked long ago go, the ones rotated out among them.
            self._checked = {t: k for t, k in self._checked.items() if now - k[0] < self._seconds}
            self._checked[token] = (now, answer)
        return answer


def _name(error: SlackApiError) -> str:
    return str(error.response.get("error"))
