"""The Bolt app factory."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

from bot.deps import Deps
from bot.logs import ContextExecutor
from bot.slack import guard, listeners, oauth


class _ClientWins(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment on its own, then warns that the client
    we pass wins over it. That is what we want (our client carries the base URL and the retry
    handlers), so the warning is only noise at start-up."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_CLIENT_WINS = _ClientWins()


def create_app(
    deps: Deps, *, listener_executor: Executor | None = None, work_limit: int = guard.WORK_LIMIT
) -> App:
    """The Bolt app. `listener_executor` runs the listeners (by default a pool of our own),
    holding at most `work_limit` of their tasks at once (guard.WorkPool)."""
    logger = logging.getLogger("bot.slack")
    logger.addFilter(_CLIENT_WINS)  # adding the same filter twice is a no-op
    # OAuth mode: Bolt authorizes each request with its workspace's token from the store.
    flow = oauth.oauth_flow(deps) if deps.workspaces is not None else None
    authorize = oauth.WorkspaceAuthorize(deps.workspaces) if deps.workspaces is not None else None
    app = App(
        client=deps.slack,
        signing_secret=deps.settings.signing_secret,
        oauth_flow=flow,
        installation_store=deps.workspaces.store if deps.workspaces is not None else None,
        # Bolt takes an Authorize as it is; its annotation names only plain functions.
        authorize=authorize,  # type: ignore[arg-type]
        # auth.test runs lazily on the first request instead, so start-up needs no network.
        token_verification_enabled=False,
        logger=logger,
        # Each listener runs on the request's thread, which guard.guarded hands the work to this
        # pool and holds only until the answer or its deadline: no 10 ms poll for the ack.
        process_before_response=True,
        # Each task runs in the request's context, so its log lines carry the request's id.
        listener_executor=ContextExecutor(
            guard.WorkPool(
                listener_executor
                or ThreadPoolExecutor(max_workers=guard.WORK_SLOTS, thread_name_prefix="listener"),
                work_limit,
            )
        ),
        # A request nothing handles (a button from an older version, a payload of a type we
        # don't use) goes to guard.last_resort: a quiet 200 and one line, not Bolt's 404 and
        # its suggested code.
        raise_error_for_unhandled_request=True,
    )
    app.middleware(guard.for_this_workspace)
    app.error(guard.last_resort)
    listeners.register(app, deps)
    return app
