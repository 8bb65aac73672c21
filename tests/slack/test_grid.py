"""Enterprise Grid: an org-wide install serves every workspace of its organization with the
organization's token, while each workspace's data stays its own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.schema import SLACK_BOTS
from bot.devtools import slack_requests
from bot.installations import NotInstalled
from bot.services.nudges import run_pass
from tests.conftest import SECRET, Clock
from tests.helpers import add_client, touches
from tests.slack.hosting import ONE, Hosted, book, calls_with, command, digests_by_token

ORG, OTHER_ORG = "E0ORG", "E0OTHER"
EAST, WEST = "T0EAST", "T0WEST"


def test_an_org_wide_install_is_stored_for_the_organization(hosted: Hosted) -> None:
    status, page = hosted.install(ORG, org=True)
    assert status == 200 and "Choose workspaces" in page
    assert f"https://app.slack.com/manage/{ORG}/integrations/profile/" in page
    with hosted.deps.db.engine.connect() as connection:
        [row] = connection.execute(select(SLACK_BOTS)).mappings()
    assert (row["enterprise_id"], row["team_id"], row["is_enterprise_install"]) == (
        ORG,
        None,
        True,
    )
    # Slack adds an org-wide app to no workspace until an admin chooses them.
    assert hosted.deps.workspaces is not None
    assert hosted.deps.workspaces.installed() == set()


def test_each_workspace_of_the_organization_is_served_with_its_token(hosted: Hosted) -> None:
    hosted.install(ORG, org=True)
    hosted.install(ONE)
    [org_token] = hosted.slack.tokens_of(ORG)
    for team in (EAST, WEST, ONE):
        add_client(hosted.deps.db, "Acme Insurance", owner="U0SAM", team=team)
    command(hosted, EAST, "acme insurance called about the claim", enterprise_id=ORG)
    command(hosted, WEST, "acme insurance renewed", enterprise_id=ORG)
    # Each touch is kept in the workspace it came from, not the organization's nor another's.
    assert [note for _, note, _ in touches(hosted.deps.db, EAST)] == ["called about the claim"]
    assert [note for _, note, _ in touches(hosted.deps.db, WEST)] == ["renewed"]
    assert touches(hosted.deps.db, ONE) == []
    assert {c.token for c in hosted.slack.calls_to("users.info")} == {org_token}
    assert calls_with(hosted, ONE) == 1  # its install's auth.test, nothing more
    # The organization's workspaces count for the nudge pass, and reach their reps.
    assert hosted.deps.workspaces is not None
    assert hosted.deps.workspaces.installed() == {EAST, WEST, ONE}
    for team in (EAST, WEST, ONE):
        book(hosted.deps.db, team)
    assert run_pass(hosted.deps, hosted.deps.clock()).sent == 3
    sent = [c.token for c in hosted.slack.calls_to("chat.postMessage")]
    assert sent.count(org_token) == 2
    assert sum(token in hosted.slack.tokens_of(ONE) for token in sent) == 1


def test_a_workspace_of_another_organization_gets_nothing(hosted: Hosted) -> None:
    hosted.install(ORG, org=True)
    add_client(hosted.deps.db, "Acme Insurance", owner="U0SAM", team=EAST)
    command(hosted, EAST, "acme insurance called", enterprise_id=OTHER_ORG)
    assert touches(hosted.deps.db, EAST) == []
    assert hosted.deps.workspaces is not None
    assert hosted.deps.workspaces.installed() == set()
    assert calls_with(hosted, ORG) == 1  # its install's auth.test


def test_removing_the_org_wide_install_stops_every_workspace_of_it(hosted: Hosted) -> None:
    hosted.install(ORG, org=True)
    hosted.install(ONE)
    [org_token] = hosted.slack.tokens_of(ORG)
    for team in (EAST, WEST, ONE):
        book(hosted.deps.db, team)  # Acme, due for a call: each workspace's rep gets a digest
    for team in (EAST, WEST):
        add_client(hosted.deps.db, "Brightside Bakery", owner="U0SAM", team=team)
        command(hosted, team, "brightside bakery called", enterprise_id=ORG)
    body = slack_requests.event_callback_body(
        team_id=EAST, event={"type": "app_uninstalled"}, enterprise_id=ORG
    )
    assert slack_requests.post(hosted.url + "/slack/events", body, SECRET)[0] == 200
    workspaces = hosted.deps.workspaces
    assert workspaces is not None
    hosted.slack.wait_for(lambda: workspaces.installed() == {ONE})
    for team in (EAST, WEST):
        with pytest.raises(NotInstalled):
            workspaces.client(team)
    assert run_pass(hosted.deps, hosted.deps.clock()).sent == 1
    [token] = digests_by_token(hosted.slack)
    assert token in hosted.slack.tokens_of(ONE)
    # A reinstall within the grace period: the organization's workspaces are served again.
    assert isinstance(hosted.deps.clock, Clock)
    hosted.deps.clock.advance(minutes=5)
    assert hosted.install(ORG, org=True)[0] == 200
    assert workspaces.installed() == {EAST, WEST, ONE}
    assert run_pass(hosted.deps, hosted.deps.clock()).sent == 2
    assert {c.token for c in hosted.slack.calls_to("chat.postMessage")[1:]} == (
        hosted.slack.tokens_of(ORG) - {org_token}
    )
