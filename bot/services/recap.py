"""The weekly recap: one channel post a week that makes the team's client work visible.

Shape: read once (set-based SQL), decide in the core (bot.core.recap), then deliver.

Which workspace: the one named, else the one the bot token belongs to (auth.test), like the
CSV import. The scheduler's `run_due` posts each workspace's recap in turn, at Monday 09:00 in
that workspace's own zone, to its own recap channel, with its own token.

Exactly once per ISO week, through the same outbox as the morning digests
(bot.services.outbox): kind RECAP, recipient "" (the workspace), period = the Monday of the ISO
week the recap is posted in, in the workspace's zone (bot.core.recap.recap_week). When Slack
doesn't answer the post, the week's recap is recorded as unknown: it may be in the channel, so
it isn't posted again that week, and every run that week says so.

The channel problems only an admin can fix (the bot isn't in a private channel, a join
refused, a wrong channel ID, an archived channel) release the claim and log one line saying
what to do; after the fix, `touchbase recap` posts that week's recap.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from http.client import HTTPException
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse, WebClient

from bot import metrics
from bot.core.model import OutboxKind, OutboxStatus, RecapInput, RecapWeek
from bot.core.recap import NOTABLE_CANDIDATES, recap_due_at, recap_week
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.services.outbox import Envelope, NotPosted, Outcome, send_once, slack_error, transient
from bot.services.workspace import team_id as workspace_of
from bot.ui import text
from bot.ui.blocks import Message
from bot.ui.recap import build_recap

log = logging.getLogger(__name__)

# The outbox row of a workspace's recap has no single recipient.
RECIPIENT = ""


@dataclass
class RecapReport:
    channel: str
    week: RecapWeek
    team_id: str | None = None
    message: Message | None = None
    # "sent", "already_sent", "dry_run", "not_posted" (a channel problem, logged for an admin),
    # "retry_later" (Slack unreachable or overloaded), "failed" (refused for good) or
    # "unknown" (Slack didn't answer the post, this run or an earlier one this week) or "busy"
    # (another run's claim on this week's recap is unfinished; this one posted nothing).
    outcome: str = "not_posted"
    # For a dry run: a real run now would post nothing, the week's recap is already claimed.
    already_sent: bool = False


class ChannelProblem(Exception):
    """The recap channel needs an admin's attention; `line` says what to do."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def run(
    deps: Deps, now: dt.datetime, *, channel: str, dry_run: bool = False, team: str | None = None
) -> RecapReport:
    """The weekly recap of workspace `team` (by default the bot token's) as if the clock read
    `now`. The scheduler calls exactly this."""
    report = _run(deps, now, channel=channel, dry_run=dry_run, team=team)
    if not dry_run:
        # A channel problem waits for an admin, as a refusal does: both count as failed.
        outcome = "failed" if report.outcome == "not_posted" else report.outcome
        metrics.RECAPS.labels(outcome).inc()
    return report


def run_due(deps: Deps, since: dt.datetime, now: dt.datetime) -> list[RecapReport]:
    """The recap of each workspace whose Monday 09:00, in its own zone, came after `since` and
    by `now`. Each workspace on its own: one's revoked token, 429s or failure never stops the
    others'. A workspace with no recap channel is skipped, with one log line."""
    defaults = deps.settings.defaults
    teams = _serving(deps)
    with deps.db.transaction() as session:
        settings = repo.settings_by_team(session, teams - repo.uninstalled_teams(session))
    reports = []
    for team_id, each in sorted(settings.items()):
        try:
            due = recap_due_at(now, ZoneInfo(each.effective_timezone(defaults)))
            if not since < due <= now:
                continue
            channel = each.effective_recap_channel(defaults)
            if channel is None:
                log.info(
                    "workspace %s has no recap channel, so its weekly recap is skipped", team_id
                )
                continue
            reports.append(run(deps, now, channel=channel, team=team_id))
        except Exception:
            log.exception("workspace %s's weekly recap failed; the others go on", team_id)
    return reports


def _serving(deps: Deps) -> set[str]:
    """The workspaces Touchbase serves: every installed one, or the bot token's."""
    if deps.workspaces is not None:
        return deps.workspaces.installed()
    try:
        return {workspace_of(deps.slack)}
    except (SlackApiError, OSError) as error:
        log.warning("couldn't ask Slack which workspace this is (%s); recap not posted", error)
        return set()


def _run(
    deps: Deps, now: dt.datetime, *, channel: str, dry_run: bool, team: str | None
) -> RecapReport:
    defaults = deps.settings.defaults
    try:
        team_id = team or workspace_of(deps.slack)
    except (SlackApiError, OSError) as error:
        log.warning("couldn't ask Slack which workspace this is (%s); recap not posted", error)
        week = recap_week(now, ZoneInfo(defaults.timezone))
        return RecapReport(channel=channel, week=week, outcome="retry_later")
    with deps.db.transaction() as session:
        tz = ZoneInfo(repo.workspace_settings(session, team_id).effective_timezone(defaults))
        week = recap_week(now, tz)
        status = repo.outbox_status(session, team_id, OutboxKind.RECAP, RECIPIENT, week.period)
        uninstalled = repo.uninstalled_at(session, team_id)
    report = RecapReport(channel=channel, week=week, team_id=team_id)
    if uninstalled is not None:
        log.warning(
            "Touchbase was uninstalled from workspace %s on %s, so no recap is posted; it "
            "resumes once the app is reinstalled",
            team_id,
            uninstalled.date().isoformat(),
        )
        return report
    report.already_sent = status is not None
    if status is OutboxStatus.UNKNOWN and not dry_run:
        log.info(
            "Slack never answered this week's recap (week of %s), so it isn't posted again",
            week.first_day.isoformat(),
        )
        report.outcome = Outcome.UNKNOWN.value
        return report
    if report.already_sent and not dry_run:
        log.info("the recap for the week of %s was already posted", week.first_day.isoformat())
        report.outcome = "already_sent"
        return report
    report.message = prepare(deps.db, team_id, now, tz)
    if dry_run:
        report.outcome = "dry_run"
        return report
    report.outcome = deliver(deps, team_id, week, channel, report.message, now)
    return report


def prepare(db: Database, team_id: str, now: dt.datetime, tz: ZoneInfo) -> Message:
    """Read the week in one transaction, then build the post in the core."""
    week = recap_week(now, tz)
    start, end = week.starts_at, week.ends_at
    with db.transaction() as session:
        data = RecapInput(
            week=week,
            settings=repo.workspace_settings(session, team_id),
            reps=tuple(repo.recap_reps(session, team_id, start, end)),
            touches=tuple(
                repo.recap_value_touches(session, team_id, start, end, NOTABLE_CANDIDATES)
            ),
            clients=tuple(repo.recap_clients(session, team_id, start, end, now)),
            departed=tuple(repo.departed_reps(session, team_id)),
        )
    return build_recap(data, now=now, tz=tz)


def deliver(
    deps: Deps, team_id: str, week: RecapWeek, channel: str, message: Message, now: dt.datetime
) -> str:
    """Send the recap through the outbox. Returns the RecapReport outcome."""
    envelope = Envelope(team_id, OutboxKind.RECAP, RECIPIENT, week.period)
    try:
        delivery = send_once(
            deps, envelope, lambda: _post(deps.slack_for(team_id), channel, message), now
        )
    except ChannelProblem as problem:
        log.warning(problem.line)
        return "not_posted"
    if delivery.outcome is Outcome.FAILED:
        log.error("Slack refused the weekly recap for %s: %s", channel, delivery.error)
    elif delivery.outcome is Outcome.SENT:
        log.info(
            "posted the weekly recap for the week of %s to %s", week.first_day.isoformat(), channel
        )
    return delivery.outcome.value


def _post(slack: WebClient, channel: str, message: Message) -> SlackResponse:
    """chat.postMessage; when the bot isn't in the channel, join it and try once more."""
    try:
        return slack.chat_postMessage(channel=channel, **message.as_kwargs())
    except SlackApiError as error:
        if slack_error(error) != "not_in_channel":
            _raise_channel_problem(error, channel)
            raise
    _join(slack, channel)
    try:
        return slack.chat_postMessage(channel=channel, **message.as_kwargs())
    except SlackApiError as error:
        if slack_error(error) == "not_in_channel":
            raise ChannelProblem(text.recap_invite_bot(channel)) from error
        _raise_channel_problem(error, channel)
        raise


def _join(slack: WebClient, channel: str) -> None:
    """conversations.join: works for a public channel; anything else needs an invitation."""
    try:
        slack.conversations_join(channel=channel)
    except SlackApiError as error:
        if transient(error):
            raise
        _raise_channel_problem(error, channel)
        # A private channel (method_not_supported_for_channel_type), a missing scope, a
        # workspace that restricts joining: someone in the channel has to invite the bot.
        raise ChannelProblem(text.recap_invite_bot(channel)) from error
    except (OSError, HTTPException) as error:
        # Whatever became of the join, the post wasn't made.
        raise NotPosted(f"conversations.join: {error}") from error


def _raise_channel_problem(error: SlackApiError, channel: str) -> None:
    """Raise ChannelProblem for the channel errors only an admin can fix; return otherwise."""
    match slack_error(error):
        case "channel_not_found":
            raise ChannelProblem(text.recap_channel_not_found(channel)) from error
        case "is_archived":
            raise ChannelProblem(text.recap_channel_archived(channel)) from error
