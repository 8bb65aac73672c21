"""The nudge pass serves each workspace on its own: one workspace's revoked token, rate limit or
failure never stops or delays another's digests. Two workspaces installed in OAuth mode, the
real pass, the Slack stand-in failing ONE's calls only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import update

from bot.db.schema import SLACK_BOTS, RepRow
from bot.devtools.standin import Call, SlackStandIn
from bot.services import nudges
from bot.services.nudges import run_pass
from bot.services.reps import ensure_rep
from tests.helpers import add_client, add_touch
from tests.slack.hosting import MORNING, ONE, TWO, Hosted

# ONE has more reps than the pass has sending threads, so ONE's stuck sends could fill them all.
REPS = [f"U0REP{n:02d}" for n in range(12)]
# Longer than the pass waits for any workspace (nudges.MAX_HOLD): ONE is put off to a later pass.
LONG_RETRY_AFTER = 120


def setup(site: Hosted, *, fresh: bool = True) -> None:
    """ONE: a neglected client for each of REPS; TWO: one for Sam. Each rep is due a digest."""
    for user_id in REPS:
        site.slack.add_user(user_id, name=user_id.lower(), tz="America/New_York")
    assert site.deps.workspaces is not None
    for team in {ONE, TWO} - site.deps.workspaces.installed():
        assert site.install(team)[0] == 200
    db = site.deps.db
    for team, reps in ((ONE, REPS), (TWO, ["U0SAM"])):
        for user_id in reps:
            client = add_client(db, f"Client of {user_id}", owner=user_id, team=team)
            add_touch(db, client, MORNING - dt.timedelta(days=120), "renewal call", rep=user_id)
            if fresh:
                ensure_rep(site.deps, team, user_id, MORNING)


def posts(slack: SlackStandIn, team: str) -> list[Call]:
    tokens = slack.tokens_of(team)
    return [c for c in slack.calls_to("chat.postMessage") if c.token in tokens]


def revoke(site: Hosted) -> None:
    site.slack.revoke(ONE)


def token_revoked(site: Hosted) -> None:
    site.slack.fail_next("*", error="token_revoked", times=100, team=ONE)


def rate_limited(site: Hosted) -> None:
    site.slack.fail_next("*", status=429, retry_after=LONG_RETRY_AFTER, times=100, team=ONE)


def server_errors(site: Hosted) -> None:
    site.slack.fail_next("*", status=503, times=100, team=ONE)


def unreadable_token(site: Hosted) -> None:
    """ONE's stored token can't be decrypted (written with another key, say): its client
    raises, not Slack."""
    with site.deps.db.engine.begin() as connection:
        connection.execute(
            update(SLACK_BOTS).where(SLACK_BOTS.c.team_id == ONE).values(bot_token="garbled")
        )


def broken_rep(site: Hosted) -> None:
    """ONE's planning raises: a rep's stored time zone is no zone at all."""
    with site.deps.db.engine.begin() as connection:
        connection.execute(update(RepRow).where(RepRow.team_id == ONE).values(tz="Nowhere/Land"))


FAULTS: dict[str, Callable[[Hosted], None]] = {
    "revoked": revoke,
    "token_revoked": token_revoked,
    "rate_limited": rate_limited,
    "server_errors": server_errors,
    "unreadable_token": unreadable_token,
    "broken_rep": broken_rep,
}


@pytest.mark.parametrize(
    ("fault", "fresh"),
    [
        pytest.param(fault, fresh, id=f"{fault}-{'fresh profiles' if fresh else 'to refresh'}")
        for fault in sorted(FAULTS)
        for fresh in (True, False)
        # A rep's stored zone is only read once the rep is stored.
        if fresh or fault != "broken_rep"
    ],
)
def test_one_workspaces_trouble_never_stops_or_delays_the_others(
    hosted: Hosted,
    fault: str,
    fresh: bool,
) -> None:
    setup(hosted, fresh=fresh)
    FAULTS[fault](hosted)
    report = run_pass(hosted.deps, MORNING)
    [theirs] = posts(hosted.slack, TWO)
    assert theirs.ok and theirs.params["channel"] == "U0SAM"
    assert report.sent == 1
    # Nothing waited out ONE's Retry-After (nor anything else of ONE's) before TWO's digest.
    troubles = [c for c in hosted.slack.calls if not c.ok]
    assert not troubles or theirs.at < troubles[0].at + LONG_RETRY_AFTER / 4
    assert hosted.slack.calls[-1].at - hosted.slack.calls[0].at < LONG_RETRY_AFTER / 4


def test_a_rate_limited_workspace_is_put_off_and_served_by_a_later_pass(
    hosted: Hosted,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One sending thread, so that what the pass tried after the 429 is well defined.
    monkeypatch.setattr(nudges, "SEND_WORKERS", 1)
    setup(hosted)
    hosted.slack.fail_next("chat.postMessage", status=429, retry_after=LONG_RETRY_AFTER, team=ONE)
    first = run_pass(hosted.deps, MORNING)
    assert len(posts(hosted.slack, TWO)) == 1
    # ONE's first send was refused, and the pass tried no more of ONE's until Slack's wait was
    # over; their claims are released.
    assert [c.status for c in posts(hosted.slack, ONE)] == [429]
    assert first.retry_later == len(REPS)
    second = run_pass(hosted.deps, MORNING + dt.timedelta(minutes=15))
    assert second.sent == len(REPS)
    assert {c.params["channel"] for c in posts(hosted.slack, ONE) if c.ok} == set(REPS)


def test_a_short_retry_after_is_waited_out_within_the_pass(
    hosted: Hosted,
) -> None:
    setup(hosted)
    hosted.slack.fail_next("chat.postMessage", status=429, retry_after=1, team=ONE)
    report = run_pass(hosted.deps, MORNING)
    assert report.sent == len(REPS) + 1
    assert {c.params["channel"] for c in posts(hosted.slack, ONE) if c.ok} == set(REPS)
    assert len(posts(hosted.slack, TWO)) == 1


def test_one_workspaces_slow_token_refresh_never_delays_the_others(
    hosted: Hosted,
) -> None:
    slow = 2.0
    assert hosted.install(TWO)[0] == 200  # a token that never expires
    hosted.slack.token_lifetime = 60  # ONE's: due for a refresh at every use
    setup(hosted)
    hosted.slack.slow_next("oauth.v2.access", seconds=slow)
    before = len(hosted.slack.calls)
    report = run_pass(hosted.deps, MORNING)
    assert report.sent == len(REPS) + 1
    [theirs] = posts(hosted.slack, TWO)
    first_refresh = next(
        c for c in hosted.slack.calls[before:] if c.params.get("grant_type") == "refresh_token"
    )
    # TWO's digest didn't wait for ONE's refresh to be answered.
    assert theirs.at < first_refresh.at + slow / 2
