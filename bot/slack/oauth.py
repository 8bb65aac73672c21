"""OAuth mode's install flow: Bolt's, with slack_sdk's stores on Touchbase's tables
(bot.installations), our own pages, and every Slack endpoint reached through SLACK_API_URL and
SLACK_AUTHORIZE_URL (so the whole flow runs against the local stand-in too)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.deps import Deps
from bot.installations import ROTATE_BEFORE_MINUTES, STATE_SECONDS, OAuthStateStore
from bot.manifest import REDIRECT_PATH
from bot.services import uninstall
from bot.ui.install import install_page, installed_page, not_installed_page

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"


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
        team_id = installation.team_id or ""
        log.info("Touchbase was installed in workspace %s", team_id or installation.enterprise_id)
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
