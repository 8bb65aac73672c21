"""Signed but malformed requests, through the real web app: whatever shape a payload arrives in,
Slack gets its answer within 3 seconds (200, or 400 for a body that is no Slack request at all),
nothing is written to the database, and the log says so in short lines, never a traceback.

The cases are payloads Slack sends, as the app's own views and messages produce them, broken
by hand (the shapes seen in the field) and by seeded random mutations."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from bot.core.model import Client
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.standin import SlackStandIn
from bot.services.reps import ensure_rep
from bot.slack.app import create_app
from bot.slack.web import create_wsgi_app
from bot.ui import ids
from bot.ui.blocks import Pick
from bot.ui.clients import client_view
from bot.ui.modals import log_touch_view
from tests.conftest import NOW, SECRET, TEAM
from tests.helpers import add_client, add_touch
from tests.slack.listeners.test_modal import state_from
from tests.slack.test_web import send, signed

UTC = ZoneInfo("UTC")
ACK_LIMIT = 3.0  # Slack's
GONE = "999999"  # no client or touch has this ID, so a well-formed click changes nothing
# Values of the wrong type, or ids Python and PostgreSQL read differently: "²".isdigit() is
# True, int("١٢") is 12, and 10**30 overflows every integer column.
WEIRD: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    10**30,
    "1" + "0" * 30,
    "²",
    "١٢",
    "",
    " ",
    "x" * 3000,
    "\u0000",
    "<@U0PRIYA>",
    "-1",
    "1e3",
    [],
    {},
    [1],
    {"id": 1},
]


@dataclass
class Case:
    name: str
    body: str


@dataclass
class App:
    url: str
    deps: Deps
    listeners: ThreadPoolExecutor

    def settle(self) -> None:
        """Wait for the work after every ack to end."""
        self.listeners.shutdown(wait=True)


@pytest.fixture
def app(_server: Any, slack: SlackStandIn, deps: Deps) -> Iterator[App]:
    dispatcher, url = _server
    listeners = ThreadPoolExecutor(max_workers=16, thread_name_prefix="test-listener")
    dispatcher.app = create_wsgi_app(
        create_app(deps, listener_executor=listeners), deps.db, signing_secret=SECRET
    )
    yield App(url, deps, listeners)
    dispatcher.app = None
    listeners.shutdown(wait=True)


# ---------------------------------------------------------------------------------------------
# Payloads as Slack sends them


def payload_of(body: str) -> dict[str, Any]:
    return dict(json.loads(dict(parse_qsl(body))["payload"]))


def as_interaction(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


def click(
    action: dict[str, Any], *, home: bool = False, respond_to: str = "", **extra: Any
) -> dict[str, Any]:
    """A button press in a message (with a response_url) or on the home or a form (without)."""
    if home:
        return payload_of(
            slack_requests.block_actions_body(
                user_id="U0SAM", team_id=TEAM, actions=[action], view={"id": "VHOME", **extra}
            )
        )
    return payload_of(
        slack_requests.block_actions_body(
            user_id="U0SAM",
            team_id=TEAM,
            actions=[action],
            response_url=respond_to,
            **extra,
        )
    )


def submission(callback_id: str, values: dict[str, Any], metadata: str) -> dict[str, Any]:
    return payload_of(
        slack_requests.view_submission_body(
            user_id="U0SAM",
            team_id=TEAM,
            callback_id=callback_id,
            state_values=values,
            private_metadata=metadata,
        )
    )


def seeds(acme: Client, priyas_touch: int, respond_to: str) -> dict[str, dict[str, Any]]:
    """One well-formed request for every listener; none of them changes anything."""
    today = NOW.date()
    form = log_touch_view(None, today)
    picked = (GONE, "Gone Ltd")
    digest = {"blocks": [{"type": "actions", "block_id": f"{ids.ACTIONS_BLOCK}{GONE}"}]}
    return {
        "flip someone else's touch": click(
            {"action_id": ids.FLIP_KIND, "value": str(priyas_touch)}, respond_to=respond_to
        ),
        "pick a client gone": click(
            {
                "action_id": f"{ids.PICK_CLIENT}:{GONE}",
                "value": Pick(1, int(GONE)).encode(),
            },
            respond_to=respond_to,
        ),
        "log from a nudge": click(
            {"action_id": ids.LOG_FROM_NUDGE, "value": GONE}, respond_to=respond_to
        ),
        "snooze a week": click(
            {"action_id": ids.SNOOZE_WEEK, "value": GONE}, message=digest, respond_to=respond_to
        ),
        "snooze until": click(
            {
                "action_id": ids.SNOOZE_UNTIL,
                "type": "datepicker",
                "block_id": f"{ids.ACTIONS_BLOCK}{GONE}",
                "selected_date": "2026-12-01",
            },
            message=digest,
            respond_to=respond_to,
        ),
        "not mine": click(
            {"action_id": ids.NOT_MINE, "value": GONE}, message=digest, respond_to=respond_to
        ),
        "home log": click({"action_id": ids.HOME_LOG, "value": str(acme.id)}, home=True),
        "home log any": click({"action_id": ids.HOME_LOG_ANY}, home=True),
        "home snooze": click({"action_id": ids.HOME_SNOOZE, "value": GONE}, home=True),
        "home open": click({"action_id": ids.HOME_OPEN, "value": str(acme.id)}, home=True),
        "home add": click({"action_id": ids.HOME_ADD}, home=True),
        "reassign": click(
            {
                "action_id": ids.REASSIGN,
                "type": "users_select",
                "block_id": f"{ids.REASSIGN_BLOCK}{GONE}",
                "selected_user": "U0PRIYA",
            },
            home=True,
        ),
        "archive": click(
            {"action_id": ids.ARCHIVE, "value": GONE},
            home=True,
            type="modal",
            callback_id=ids.CLIENT_VIEW,
        ),
        "follow the note": click(
            {"action_id": ids.NOTE, "type": "plain_text_input", "block_id": ids.NOTE},
            home=True,
            type="modal",
            callback_id=ids.LOG_TOUCH_VIEW,
            private_metadata=form["private_metadata"],
            state={"values": state_from(form, note="sent the renewal pack")},
        ),
        "submit the log form": submission(
            ids.LOG_TOUCH_VIEW,
            state_from(form, client=picked, note="called"),
            form["private_metadata"],
        ),
        "submit the client form": submission(
            ids.CLIENT_VIEW,
            state_from(client_view(acme, [], {}, today=today, tz=UTC, editable=True)),
            json.dumps({"client_id": int(GONE)}),
        ),
        "pick from the picker": payload_of(
            slack_requests.block_suggestion_body(
                user_id="U0SAM",
                team_id=TEAM,
                action_id=ids.CLIENT,
                block_id=ids.CLIENT,
                value="ac",
                view_callback_id=ids.LOG_TOUCH_VIEW,
            )
        ),
        "log as touch": payload_of(
            slack_requests.message_action_body(
                user_id="U0SAM",
                team_id=TEAM,
                callback_id=ids.LOG_AS_TOUCH,
                message_text="acme called",
                response_url=respond_to,
            )
        ),
    }


def command(words: str, respond_to: str) -> dict[str, str]:
    return dict(
        parse_qsl(
            slack_requests.slash_command_body(
                command="/touch",
                text=words,
                user_id="U0SAM",
                team_id=TEAM,
                response_url=respond_to,
            )
        )
    )


def home_opened() -> dict[str, Any]:
    return dict(
        json.loads(
            slack_requests.event_callback_body(
                team_id=TEAM,
                event={"type": "app_home_opened", "user": "U0SAM", "tab": "home"},
            )
        )
    )


# ---------------------------------------------------------------------------------------------
# Breaking them


def by_hand(plain: dict[str, dict[str, Any]], respond_to: str) -> list[Case]:
    """The shapes seen in the field."""
    cases: list[Case] = []

    def broken(name: str, payload: Any) -> None:
        cases.append(Case(name, as_interaction(payload)))

    for name in ("submit the log form", "submit the client form"):
        no_state = copy.deepcopy(plain[name])
        del no_state["view"]["state"]
        broken(f"{name} without state", no_state)
        no_view = copy.deepcopy(plain[name])
        del no_view["view"]
        broken(f"{name} without a view", no_view)
        for value in WEIRD:
            odd = copy.deepcopy(plain[name])
            odd["view"]["private_metadata"] = value
            broken(f"{name} with metadata {value!r:.20}", odd)
            odd = copy.deepcopy(plain[name])
            odd["view"]["state"]["values"] = value
            broken(f"{name} with values {value!r:.20}", odd)
    adding = submission(ids.ADD_CLIENT_VIEW, {}, "")
    odd_values: list[Any] = [{}, {ids.NAME: "Acme"}, {ids.NAME: {ids.NAME: {"value": 5}}}, None]
    for values in odd_values:
        odd = copy.deepcopy(adding)
        odd["view"]["state"]["values"] = values
        broken(f"add-client form with values {values!r}", odd)
    suggestion = plain["pick from the picker"]
    broken("picker without user", {k: v for k, v in suggestion.items() if k != "user"})
    for value in WEIRD:
        broken(f"picker typed {value!r:.20}", {**suggestion, "value": value})
    for name, payload in plain.items():
        if payload.get("type") != "block_actions":
            continue
        broken(f"{name} with no actions", {**payload, "actions": []})
        broken(f"{name} with actions not a list", {**payload, "actions": "x"})
        broken(f"{name} with an action not an object", {**payload, "actions": [5]})
        unknown = copy.deepcopy(payload)
        unknown["actions"][0]["action_id"] = "no_such_action"
        broken(f"{name} with an unknown action_id", unknown)
        for key in ("value", "block_id", "selected_date", "selected_user"):
            for value in WEIRD:
                odd = copy.deepcopy(payload)
                odd["actions"][0][key] = value
                broken(f"{name} with {key} {value!r:.20}", odd)
    for name, payload in plain.items():
        broken(f"{name} without user", {k: v for k, v in payload.items() if k != "user"})
        for value in ("U0SAM", 5, None, [], {"id": 5, "team_id": TEAM}, {"team_id": TEAM}):
            broken(f"{name} with user {value!r:.20}", {**payload, "user": value})
        broken(f"{name} with team not an object", {**payload, "team": "x"})
    help_ = command("help", respond_to)
    for key, value in (("user_id", ""), ("user_id", "x" * 300), ("team_id", ""), ("text", "²")):
        cases.append(Case(f"command with {key} {value!r:.20}", urlencode(help_ | {key: value})))
    for key in ("user_id", "team_id", "text", "trigger_id", "response_url"):
        without = {k: v for k, v in help_.items() if k != key}
        cases.append(Case(f"command without {key}", urlencode(without)))
    event = home_opened()
    for change in ({"user": None}, {"user": 5}, {"tab": None}, {"tab": 5}):
        odd = {**event, "event": {**event["event"], **change}}
        cases.append(Case(f"home opened with {change}", json.dumps(odd)))
    cases.append(
        Case("home opened, no authorizations", json.dumps({**event, "authorizations": []}))
    )
    return cases


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index in a payload, outermost first."""
    if isinstance(node, dict):
        items: Iterator[tuple[Any, Any]] = iter(node.items())
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for key, child in items:
        found.append((*prefix, key))
        found += paths(child, (*prefix, key))
    return found


def mutant(payload: dict[str, Any], rng: random.Random, *, text_only: bool = False) -> Any:
    """`payload` with one to three keys deleted or values replaced by something weird."""
    broken = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 3)):
        where = paths(broken)
        if not where:
            break
        path = rng.choice(where)
        parent = broken
        for key in path[:-1]:
            parent = parent[key]
        value = rng.choice(WEIRD)
        if text_only:
            value = "" if value is None else str(value)
        if isinstance(parent, dict) and rng.random() < 0.3:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(value)
    return broken


def mutated(
    plain: dict[str, dict[str, Any]], respond_to: str, rng: random.Random, each: int
) -> list[Case]:
    cases = [
        Case(f"{name}, mutant {n}", as_interaction(mutant(payload, rng)))
        for name, payload in plain.items()
        for n in range(each)
    ]
    for words in ("help", "show acme", "list"):
        typed = command(words, respond_to)
        cases += [
            Case(f"/touch {words}, mutant {n}", urlencode(mutant(typed, rng, text_only=True)))
            for n in range(each)
        ]
    cases += [
        Case(f"home opened, mutant {n}", json.dumps(mutant(home_opened(), rng)))
        for n in range(each)
    ]
    return cases


def snapshot(db: Database) -> dict[str, list[Any]]:
    """Every row of every table but the edge's own record of requests seen."""
    with db.engine.connect() as connection:
        tables = [
            t
            for t in inspect(connection).get_table_names()
            if t not in {"seen_request", "alembic_version"}
        ]
        return {
            t: sorted(map(repr, connection.execute(text(f"SELECT * FROM {t}")).all()))
            for t in tables
        }


# ---------------------------------------------------------------------------------------------


def test_malformed_requests_get_their_answer_in_time_and_change_nothing(
    app: App, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    db = app.deps.db
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=1), rep="U0PRIYA")
    for rep in ("U0SAM", "U0PRIYA"):
        ensure_rep(app.deps, TEAM, rep, NOW)
    with db.engine.connect() as connection:
        priyas_touch = int(connection.execute(text("SELECT max(id) FROM touch")).scalar_one())
    respond_to = slack.response_url("malformed")
    plain = seeds(acme, priyas_touch, respond_to)
    cases = by_hand(plain, respond_to) + mutated(plain, respond_to, random.Random(1123), each=8)
    before = snapshot(db)

    caplog.set_level(logging.INFO)
    statuses: dict[int, int] = {}
    slow: list[tuple[str, float]] = []
    refused: list[tuple[str, int]] = []
    seconds = 0.0
    for case in cases:
        answer = send(app.url, "/slack/events", case.body.encode(), signed(case.body))
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        seconds = max(seconds, answer.seconds)
        if answer.seconds >= ACK_LIMIT:
            slow.append((case.name, round(answer.seconds, 2)))
        if answer.status not in {200, 400}:
            refused.append((case.name, answer.status))
    app.settle()

    tracebacks = [r.getMessage()[:100] for r in caplog.records if r.exc_info or r.levelno >= 40]
    summary = (
        f"{len(cases)} requests: statuses {statuses}; {len(slow)} answered in 3 s or more"
        f" (slowest {seconds:.2f} s); {len(tracebacks)} errors or tracebacks logged"
    )
    assert refused == [], f"{summary}: {refused}"
    # A 400 only for a body the edge says it can't read, in one line.
    unreadable = [r for r in caplog.records if r.getMessage().startswith("400 for ")]
    assert len(unreadable) == statuses.get(400, 0)
    assert slow == [], summary
    assert tracebacks == [], summary
    assert "Traceback" not in caplog.text
    assert snapshot(db) == before
