"""Isolation, on every listener: with two workspaces installed (OAuth mode), a signed request
Slack authorized for one (ONE) that names the other's (TWO's) client, touch, pending touch or
team ID (in a button's value, a block ID, a view's private_metadata or state, the payload's
team, user or view) changes nothing in TWO, reads nothing of TWO back to ONE, and makes no call
with TWO's token.

Each crafted request has a control: the same request from TWO itself, which must do something
in TWO (change its rows or show its client), so the IDs and payloads are ones the listener
really acts on. test_every_listener_has_a_case fails when a listener is added without a case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import select

from bot.core.model import Client
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import Base
from bot.devtools import slack_requests
from bot.services import clients
from bot.services.reps import ensure_rep
from bot.slack.app import create_app
from bot.slack.web import create_wsgi_app
from bot.ui.blocks import Pick
from bot.ui.ids import (
    ADD_CLIENT_VIEW,
    ARCHIVE,
    CLIENT,
    CLIENT_VIEW,
    ERASE,
    FLIP_KIND,
    HOME_ADD,
    HOME_CALENDAR,
    HOME_LOG,
    HOME_LOG_ANY,
    HOME_OPEN,
    HOME_SETTINGS,
    HOME_SNOOZE,
    LOG_AS_TOUCH,
    LOG_FROM_NUDGE,
    LOG_TOUCH_VIEW,
    NOT_MINE,
    NOTE,
    PICK_CLIENT,
    REASSIGN,
    REASSIGN_BLOCK,
    SETTINGS_VIEW,
    SNOOZE_UNTIL,
    SNOOZE_WEEK,
)
from bot.ui.modals import log_touch_view
from tests.conftest import SECRET, _Dispatcher
from tests.helpers import add_client, add_touch
from tests.slack.hosting import MORNING, ONE, TWO, Hosted
from tests.slack.listeners.test_events import _Inline
from tests.slack.listeners.test_modal import state_from

USER = "U0SAM"
# What only TWO's database holds, each written with capitals: what a request types is lower
# case, so a reply that echoes it is no leak, and one of these in a reply to ONE is.
THEIR_CLIENT = "Brightside Bakery"
THEIR_NOTE = "Talked over the Brightside merger"
THEIR_PENDING = "Quote for the Brightside vans"
SECRETS = (THEIR_CLIENT, THEIR_NOTE, THEIR_PENDING)
THEIR_CHANNEL = "C0THEIRS"


@dataclasses.dataclass(frozen=True)
class Theirs:
    """TWO's IDs, and views Touchbase built for TWO, that a crafted request names."""

    client: int
    touch: int
    pending: int
    log_view: dict[str, Any]
    client_view: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Sent:
    """A request about to be sent: from `team`, naming TWO's IDs, answering at `url`."""

    team: str
    theirs: Theirs
    url: str


Kind = Literal["command", "interaction", "event"]


@dataclasses.dataclass(frozen=True)
class Case:
    # The listener's function name, as registered (test_every_listener_has_a_case).
    listener: str
    kind: Kind
    build: Callable[[Sent], dict[str, Any]]
    # The same request from TWO does something in TWO; False where a listener reads no ID.
    control: bool = True
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.listener}-{self.label}" if self.label else self.listener


# ---------------------------------------------------------------------------------------------
# Building payloads


def _interaction(body: str) -> dict[str, Any]:
    return dict(json.loads(dict(parse_qsl(body))["payload"]))


def command(text: str) -> Callable[[Sent], dict[str, Any]]:
    def build(sent: Sent) -> dict[str, Any]:
        body = slack_requests.slash_command_body(
            command="/touch", text=text, user_id=USER, team_id=sent.team, response_url=sent.url
        )
        return dict(parse_qsl(body))

    return build


def click(
    action: Callable[[Theirs], dict[str, Any]], *, on: str = "message"
) -> Callable[[Sent], dict[str, Any]]:
    """A click on a message (a reply, a digest), the home, or TWO's log or client form."""

    def build(sent: Sent) -> dict[str, Any]:
        view: dict[str, Any] | None = None
        if on == "home":
            view = {"id": "VHOME", "type": "home"}
        elif on == "log_view":
            view = dict(sent.theirs.log_view, id="VTHEIRS")
            view["state"] = {"values": state_from(view, note="lunch with their boss")}
        elif on == "client_view":
            view = dict(sent.theirs.client_view, id="VTHEIRS")
        body = slack_requests.block_actions_body(
            user_id=USER,
            team_id=sent.team,
            actions=[action(sent.theirs)],
            response_url=sent.url if view is None else None,
            view=view,
        )
        return _interaction(body)

    return build


def submit(form: str, **typed: Any) -> Callable[[Sent], dict[str, Any]]:
    """TWO's log form or client form, filled in and submitted; `typed` by action ID, with
    "client" naming TWO's client in the picker."""

    def build(sent: Sent) -> dict[str, Any]:
        view = getattr(sent.theirs, form)
        if "client" in typed:
            typed["client"] = (sent.theirs.client, "their client")
        body = slack_requests.view_submission_body(
            user_id=USER,
            team_id=sent.team,
            callback_id=view["callback_id"],
            state_values=state_from(view, **typed),
            private_metadata=view["private_metadata"],
            view_id="VTHEIRS",
        )
        return _interaction(body)

    return build


def add_form(sent: Sent) -> dict[str, Any]:
    body = slack_requests.view_submission_body(
        user_id=USER,
        team_id=sent.team,
        callback_id=ADD_CLIENT_VIEW,
        state_values={"name": {"name": {"type": "plain_text_input", "value": "Corner Cafe"}}},
    )
    return _interaction(body)


def settings_form(sent: Sent) -> dict[str, Any]:
    """The Admin section's settings form, naming a channel of TWO's for the recap."""
    body = slack_requests.view_submission_body(
        user_id=USER,
        team_id=sent.team,
        callback_id=SETTINGS_VIEW,
        state_values={
            "cadence_a": {"cadence_a": {"type": "plain_text_input", "value": "21"}},
            "recap_channel": {
                "recap_channel": {
                    "type": "conversations_select",
                    "selected_conversation": THEIR_CHANNEL,
                }
            },
        },
    )
    return _interaction(body)


def suggest(sent: Sent) -> dict[str, Any]:
    body = slack_requests.block_suggestion_body(
        user_id=USER,
        team_id=sent.team,
        action_id=CLIENT,
        block_id=CLIENT,
        value="brightside",
        view_callback_id=LOG_TOUCH_VIEW,
    )
    return _interaction(body)


def shortcut(sent: Sent) -> dict[str, Any]:
    body = slack_requests.message_action_body(
        user_id=USER,
        team_id=sent.team,
        callback_id=LOG_AS_TOUCH,
        message_text="lunch with brightside bakery",
        response_url=sent.url,
    )
    return _interaction(body)


def event(make: Callable[[Sent], dict[str, Any]]) -> Callable[[Sent], dict[str, Any]]:
    def build(sent: Sent) -> dict[str, Any]:
        body = slack_requests.event_callback_body(team_id=sent.team, event=make(sent))
        return dict(json.loads(body))

    return build


def value(action_id: str, of: str = "client") -> Callable[[Theirs], dict[str, Any]]:
    return lambda theirs: {"action_id": action_id, "value": str(getattr(theirs, of))}


CASES = [
    Case("touch", "command", command("brightside bakery talked about cover"), label="log"),
    Case("touch", "command", command("show brightside bakery"), label="show"),
    Case("touch", "command", command("edit brightside bakery"), label="edit"),
    Case("flip", "interaction", click(value(FLIP_KIND, "touch"))),
    Case(
        "pick",
        "interaction",
        click(
            lambda t: {
                "action_id": f"{PICK_CLIENT}:{t.client}",
                "value": Pick(t.pending, t.client).encode(),
            }
        ),
    ),
    Case("log_touch", "interaction", click(value(LOG_FROM_NUDGE)), label="digest"),
    Case("snooze_week", "interaction", click(value(SNOOZE_WEEK))),
    Case(
        "snooze_until",
        "interaction",
        click(
            lambda t: {
                "action_id": SNOOZE_UNTIL,
                "type": "datepicker",
                "block_id": f"nudge-actions:{t.client}",
                "selected_date": "2026-12-15",
            }
        ),
    ),
    Case("not_mine", "interaction", click(value(NOT_MINE))),
    Case(
        "follow",
        "interaction",
        click(lambda t: {"action_id": NOTE, "type": "plain_text_input"}, on="log_view"),
        control=False,
    ),
    Case(
        "log_touch",
        "interaction",
        submit("log_view", client=True, note="lunch with the owner"),
        label="form",
    ),
    Case(
        "home_opened",
        "event",
        event(lambda s: {"type": "app_home_opened", "user": USER, "tab": "home"}),
    ),
    Case("log_any", "interaction", click(value(HOME_LOG_ANY), on="home"), control=False),
    Case("log_touch", "interaction", click(value(HOME_LOG), on="home"), label="home"),
    Case("snooze", "interaction", click(value(HOME_SNOOZE), on="home")),
    Case("open_client", "interaction", click(value(HOME_OPEN), on="home")),
    Case("add_client", "interaction", click(value(HOME_ADD), on="home"), control=False),
    Case("calendar_link", "interaction", click(value(HOME_CALENDAR), on="home")),
    Case(
        "reassign",
        "interaction",
        click(
            lambda t: {
                "action_id": REASSIGN,
                "type": "users_select",
                "block_id": f"{REASSIGN_BLOCK}{t.client}",
                "selected_user": "U0PRIYA",
            },
            on="home",
        ),
    ),
    Case("save", "interaction", submit("client_view", owner="U0PRIYA", tier="A")),
    Case("add", "interaction", add_form),
    Case("archive", "interaction", click(value(ARCHIVE), on="client_view")),
    Case("erase", "interaction", click(value(ERASE), on="client_view")),
    Case("log_as_touch", "interaction", shortcut),
    Case("open_settings", "interaction", click(value(HOME_SETTINGS), on="home"), control=False),
    Case("save", "interaction", settings_form, label="settings"),
    Case("client_options", "interaction", suggest),
    Case(
        "user_change",
        "event",
        event(
            lambda s: {
                "type": "user_change",
                "user": {
                    "id": USER,
                    "team_id": s.team,
                    "name": "sam",
                    "deleted": True,
                    "tz": "America/New_York",
                    "profile": {"display_name": "sam", "real_name": "Sam Rivera"},
                },
                "cache_ts": 1_700_000_000,
            }
        ),
    ),
    Case("app_uninstalled", "event", event(lambda s: {"type": "app_uninstalled"})),
    Case(
        "tokens_revoked",
        "event",
        event(lambda s: {"type": "tokens_revoked", "tokens": {"bot": ["U0TOUCHBOT"]}}),
    ),
]


# Where else a crafted request can name TWO: its payload's team, its user's team, its view's.
def _plant_team(payload: dict[str, Any]) -> None:
    if "authorizations" in payload:
        payload["team_id"] = TWO  # the envelope's; Slack authorized ONE
    else:
        payload["team"]["id"] = TWO


def _plant_user(payload: dict[str, Any]) -> None:
    user = payload["event"]["user"] if "event" in payload else payload["user"]
    user["team_id"] = TWO


def _plant_view(payload: dict[str, Any]) -> None:
    payload["view"]["team_id"] = payload["view"]["app_installed_team_id"] = TWO


PLANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "team": _plant_team,
    "user": _plant_user,
    "view": _plant_view,
}


def _plants(case: Case) -> list[str]:
    """Where a case's payload can carry TWO's team ID besides the IDs it names."""
    if case.kind == "command":
        return ["ids"]  # a command's only team is the one it came from
    if case.kind == "event":
        return ["ids", "team"] + (["user"] if case.listener == "user_change" else [])
    sample = case.build(Sent(ONE, _SAMPLE, ""))
    return ["ids", "team", "user"] + (["view"] if "view" in sample else [])


# Stand-in IDs and views, to see a payload's shape before there are any.
_SAMPLE = Theirs(
    1,
    1,
    1,
    log_touch_view(None, MORNING.date()),
    {"callback_id": CLIENT_VIEW, "private_metadata": "", "blocks": []},
)


def _encoded(kind: Kind, payload: dict[str, Any]) -> str:
    if kind == "command":
        return urlencode(payload)
    if kind == "event":
        return json.dumps(payload)
    return urlencode({"payload": json.dumps(payload)})


# ---------------------------------------------------------------------------------------------
# Two workspaces, and what a request did


@dataclasses.dataclass
class Two:
    hosted: Hosted
    theirs: Theirs
    their_calls: list[str] = dataclasses.field(default_factory=list)

    @property
    def db(self) -> Database:
        return self.hosted.deps.db

    def send(self, case: Case, team: str, plant: str = "ids") -> str:
        """Send the case's request from `team`; returns all it said back, to anyone, through
        the ack, its response_url and the Web API. The listeners run inline: once Slack has
        its 200, the work is done."""
        slack = self.hosted.slack
        before = len(slack.calls)
        key = f"{case.id}-{team}-{plant}"
        payload = case.build(Sent(team, self.theirs, slack.response_url(key)))
        if plant in PLANTS:
            PLANTS[plant](payload)
        # Whatever TWO's views said when Touchbase built them is not in the request itself.
        typed = json.dumps(payload)
        for secret in SECRETS:
            typed = typed.replace(secret, "their words")
        body = _encoded(case.kind, json.loads(typed))
        status, answer = slack_requests.post(self.hosted.url + "/slack/events", body, SECRET)
        assert status == 200, answer
        calls = slack.calls[before:]
        # Bolt's authorization asks auth.test who the token it found is; nothing else may use
        # TWO's token for a request of ONE's.
        theirs = slack.tokens_of(TWO)
        self.their_calls = [c.method for c in calls if c.token in theirs]
        said = [answer.decode(), *map(json.dumps, slack.responses_to(key))]
        said += [json.dumps(c.params) for c in calls]
        return "\n".join(said)

    def rows(self, team: str) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of `team` in every table that has a team, as stored (tokens encrypted)."""
        found = {}
        with self.db.engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                if "team_id" in table.c:
                    query = select(table).where(table.c.team_id == team)
                    found[table.name] = sorted(map(tuple, connection.execute(query)), key=repr)
        return found


@pytest.fixture
def two(hosted: Hosted, _server: tuple[_Dispatcher, str]) -> Iterator[Two]:
    hosted.slack.add_user(USER, name="sam", real_name="Sam Rivera", is_admin=True)
    hosted.slack.add_user("U0PRIYA", name="priya", real_name="Priya Shah", tz="Europe/London")
    # With a public URL, so that the home's calendar link makes one.
    settings = dataclasses.replace(hosted.deps.settings, public_url="https://touchbase.example")
    hosted.deps = dataclasses.replace(hosted.deps, settings=settings)
    dispatcher, _ = _server
    dispatcher.app = create_wsgi_app(
        create_app(hosted.deps, listener_executor=_Inline()), hosted.deps.db, signing_secret=SECRET
    )
    assert hosted.install(ONE)[0] == hosted.install(TWO)[0] == 200
    db, now = hosted.deps.db, hosted.deps.clock()
    add_client(db, "Acme Insurance", owner=USER, team=ONE)
    theirs = add_client(db, THEIR_CLIENT, owner=USER, team=TWO)
    add_touch(db, theirs, now - dt.timedelta(days=3), THEIR_NOTE, rep=USER)
    with db.transaction(write=True) as session:
        [touch] = repo.all_touches(session, TWO)
        pending = repo.add_pending_touch(session, TWO, USER, THEIR_PENDING, None, now)
    ensure_rep(hosted.deps, ONE, USER, now)
    ensure_rep(hosted.deps, TWO, USER, now)
    yield Two(hosted, _theirs(hosted, theirs, touch.id, pending))


def _theirs(served: Hosted, client: Client, touch: int, pending: int) -> Theirs:
    client_view = clients.open_client(served.deps, TWO, USER, str(client.id))
    assert client_view is not None
    return Theirs(client.id, touch, pending, log_touch_view(client, MORNING.date()), client_view)


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize(
    ("case", "plant"),
    [pytest.param(c, p, id=f"{c.id}-{p}") for c in CASES for p in _plants(c)],
)
def test_a_request_from_one_workspace_never_reaches_the_other(
    two: Two, case: Case, plant: str, caplog: pytest.LogCaptureFixture
) -> None:
    theirs_before, ours_before = two.rows(TWO), two.rows(ONE)
    said = two.send(case, ONE, plant)
    assert two.rows(TWO) == theirs_before
    if plant in ("user", "view"):
        # Its user or its view is TWO's: the request is refused whole. (The payload's team can
        # be another workspace's in a shared channel, and the request still acts for ONE.)
        assert two.rows(ONE) == ours_before
    assert not [secret for secret in SECRETS if secret in said], said
    assert set(two.their_calls) <= {"auth.test"}
    assert two.hosted.deps.workspaces is not None
    assert TWO in two.hosted.deps.workspaces.installed()
    # Refused plainly, never as a failure of ours.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("case", [c for c in CASES if c.control], ids=lambda c: c.id)
def test_the_same_request_from_the_workspace_itself_acts_there(two: Two, case: Case) -> None:
    """The control: the IDs and payloads above are ones the listener acts on."""
    before = two.rows(TWO)
    said = two.send(case, TWO)
    assert two.rows(TWO) != before or any(secret in said for secret in SECRETS), said


def test_every_listener_has_a_case(two: Two) -> None:
    app = create_app(two.hosted.deps)
    registered = Counter(listener.ack_function.__name__ for listener in app._listeners)
    # The command is one listener, whatever its text.
    covered = Counter(c.listener for c in CASES if c.kind != "command")
    covered += Counter({c.listener for c in CASES if c.kind == "command"})
    assert registered == covered
