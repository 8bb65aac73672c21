"""Issue 16's "Done when", end to end in OAuth mode against the stand-in: two workspaces
installed through Slack's install flow each log touches with /touch, get their own digests with
their own token, and never see each other's clients; uninstalling one stops its messages at once
and leaves the other as it was. (The recap is the settings tests'; single-workspace mode is the
rest of the suite's.)"""

from __future__ import annotations

import datetime as dt
import json

from bot.db.engine import Database
from bot.devtools import slack_requests
from bot.services.nudges import run_pass
from tests.conftest import SECRET, Clock
from tests.helpers import add_client, add_touch, touches
from tests.slack.hosting import MORNING, ONE, TWO, Hosted, command

# Each workspace's rep: Sam works in ONE, Priya in TWO.
REPS = {ONE: "U0SAM", TWO: "U0PRIYA"}


def due_client(db: Database, team: str, name: str) -> None:
    """A client of the workspace's rep, last called long ago: in the next digest."""
    client = add_client(db, name, owner=REPS[team], team=team)
    add_touch(db, client, MORNING - dt.timedelta(days=90), "renewal call", rep=REPS[team])


def touch(hosted: Hosted, team: str, text: str) -> str:
    """/touch from the workspace's rep; its reply."""
    return command(hosted, team, text, user=REPS[team])


def digest_of(hosted: Hosted, team: str) -> tuple[str, str]:
    """The workspace's rep's latest digest: the token it was sent with, and its content."""
    [*_, call] = [
        c for c in hosted.slack.calls_to("chat.postMessage") if c.params["channel"] == REPS[team]
    ]
    return call.token or "", json.dumps(call.params)


def test_two_workspaces_installed_served_apart_and_one_uninstalled(hosted: Hosted) -> None:
    db, slack, workspaces = hosted.deps.db, hosted.slack, hosted.deps.workspaces
    assert workspaces is not None and isinstance(hosted.deps.clock, Clock)
    for team in (ONE, TWO):  # Add to Slack, approved on Slack's page, back to Touchbase
        status, page = hosted.install(team)
        assert status == 200 and "Home tab" in page
    assert workspaces.installed() == {ONE, TWO}

    # Each logs touches with /touch, in its own book.
    add_client(db, "Acme Insurance", owner=REPS[ONE], team=ONE)
    add_client(db, "Brightside Bakery", owner=REPS[TWO], team=TWO)
    assert "Acme Insurance" in touch(hosted, ONE, "acme insurance called about the renewal")
    assert "Brightside Bakery" in touch(hosted, TWO, "brightside bakery met for coffee")
    # Neither sees the other's clients: naming one from the other logs nothing anywhere.
    for team, theirs in ((ONE, "Brightside Bakery"), (TWO, "Acme Insurance")):
        reply = touch(hosted, team, f"{theirs.lower()} called")
        assert "nothing was saved" in reply and theirs not in reply
    assert [(name, note) for name, note, _ in touches(db, ONE)] == [
        ("Acme Insurance", "called about the renewal")
    ]
    assert [(name, note) for name, note, _ in touches(db, TWO)] == [
        ("Brightside Bakery", "met for coffee")
    ]

    # Each gets its own digest, sent with its own token, naming only its own clients.
    due_client(db, ONE, "Coastal Marine")
    due_client(db, TWO, "Delta Freight")
    assert run_pass(hosted.deps, hosted.deps.clock()).sent == 2
    for team, mine, theirs in ((ONE, "Coastal Marine", "Delta"), (TWO, "Delta Freight", "Coastal")):
        token, digest = digest_of(hosted, team)
        assert token in slack.tokens_of(team)
        assert mine in digest and theirs not in digest

    # ONE removes the app: its token goes at once, and nothing more is sent there.
    body = slack_requests.event_callback_body(team_id=ONE, event={"type": "app_uninstalled"})
    assert slack_requests.post(hosted.url + "/slack/events", body, SECRET)[0] == 200
    slack.wait_for(lambda: workspaces.installed() == {TWO})
    sent_to_one, since = len(slack.dm_messages(REPS[ONE])), len(slack.calls)

    # The next working day, each has a client due: only TWO hears, with its own token.
    hosted.deps.clock.advance(days=1)
    due_client(db, ONE, "Evergreen Farms")
    due_client(db, TWO, "Fjord Freight")
    assert "Brightside Bakery" in touch(hosted, TWO, "brightside bakery emailed the quote")
    assert run_pass(hosted.deps, hosted.deps.clock()).sent == 1
    token, digest = digest_of(hosted, TWO)
    assert token in slack.tokens_of(TWO) and "Fjord Freight" in digest
    assert len(slack.dm_messages(REPS[ONE])) == sent_to_one
    assert not any(c.token in slack.tokens_of(ONE) for c in slack.calls[since:])
    # TWO is untouched: its book as it was, and today's call logged.
    assert [(name, note) for name, note, _ in touches(db, TWO)] == [
        ("Brightside Bakery", "met for coffee"),
        ("Delta Freight", "renewal call"),
        ("Fjord Freight", "renewal call"),
        ("Brightside Bakery", "emailed the quote"),
    ]
