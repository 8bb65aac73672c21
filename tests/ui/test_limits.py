"""Every message and view the bot builds stays within Slack's limits, for any client name up to
MAX_NAME, any note up to MAX_NOTE and any rep name, in any script, with names shared by many
clients, and never lets user content read as markup.

Property-based (Hypothesis): each builder is checked with slack_sdk's models (`validate_json`)
and the stand-in's `block_kit_problems`/`view_problems`, through tests.ui.checks. Examples are
derandomized, so CI sees the same ones every run; the worst cases for escaping (a name that is
all `&`, which grows fivefold) are always among them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.dates import BadDate, FollowUpInPast
from bot.core.home import Home, Row
from bot.core.matching import MAX_CANDIDATES, Ambiguous, NoMatch
from bot.core.model import (
    MAX_NAME,
    Client,
    ClientActivity,
    HandedBack,
    Kind,
    RepTally,
    Source,
    Touch,
    Week,
    WeekTouch,
)
from bot.core.plan import MAX_NOTE
from bot.core.refusals import (
    ClientGone,
    DayInFuture,
    EmptyNote,
    NotAllowed,
    NoteTooLong,
    Refusal,
)
from bot.core.rules import Digest, Item, Level, Rule
from bot.core.topics import Recall
from bot.ui import text
from bot.ui.blocks import Message, choose_client, plain, touch_logged
from bot.ui.clients import HISTORY, add_client_view, client_options, client_view, done_view
from bot.ui.digest import digest_message, list_message, mark_item
from bot.ui.home import home_view
from bot.ui.modals import log_touch_view
from bot.ui.recap import build_recap
from bot.ui.replies import refusal_message
from tests.core.test_recap import MIDWEEK, NOW, data
from tests.ui.checks import assert_message_fits, assert_view_fits

TODAY = dt.date(2026, 11, 23)
NY = ZoneInfo("America/New_York")
USERS = ("U0SAM", "U0PRIYA", "U0LEE")

LIMITS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any script: every Unicode category but surrogates and control characters.
_CHARS = st.characters(exclude_categories=("Cs", "Cc"))
# Markup, escapes and wide characters, to push escaping and lengths.
_FRAGMENTS = (
    "<!channel>",
    "<@U0PRIYA>",
    "<https://evil|click>",
    "&amp;",
    "*bold*",
    "&",
    "<",
    ">",
    "電話",
    "😀",
    "\n",
    " ",
)


def texts(max_size: int) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.text(_CHARS, min_size=1, max_size=40), st.sampled_from(_FRAGMENTS))
    return st.one_of(
        st.sampled_from(["&" * max_size, "<" * max_size, "電" * max_size, "😀" * max_size]),
        st.text(_CHARS, max_size=max_size),
        st.lists(pieces, min_size=1, max_size=max_size).map(lambda p: "".join(p)[:max_size]),
    )


# Names as the bot keeps them: one line, no spaces at either end, not empty.
names = texts(MAX_NAME).map(lambda s: " ".join(s.split())).filter(bool)
notes = texts(MAX_NOTE).filter(lambda s: bool(s.strip()))
rep_names = st.one_of(st.none(), texts(200))
WORST_NAME = "&" * MAX_NAME
WORST_NOTE = "&" * MAX_NOTE


def client(client_id: int, name: str, owner: str | None = "U0SAM") -> Client:
    return Client(client_id, "T1", name, aliases=(name[:50],), owner_id=owner)


def book(all_names: list[str]) -> tuple[Client, ...]:
    return tuple(client(i + 1, n) for i, n in enumerate(all_names))


def quiet(c: Client) -> Item:
    return Item(
        client=c,
        rule=Rule.QUIET,
        level=Level.DUE,
        window="2026-09-01:due",
        urgency=(4, -80, c.name.casefold(), c.id, 0),
        days_quiet=83,
    )


def touch(touch_id: int, note: str, rep: str) -> Touch:
    at = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
    return Touch(touch_id, "T1", 1, rep, at, at, note, Kind.VALUE, Source.SLASH)


@LIMITS
@given(name=names, kind=st.sampled_from(Kind))
@example(name=WORST_NAME, kind=Kind.VALUE)
def test_a_logged_touch(name: str, kind: Kind) -> None:
    message = touch_logged(
        touch_id=2**31,
        client=client(1, name),
        kind=kind,
        because="a review",
        day=TODAY - dt.timedelta(days=3),
        today=TODAY,
        follow_up_on=TODAY + dt.timedelta(days=4),
    )
    assert_message_fits(message)


@LIMITS
@given(query=texts(500), shared=st.lists(names, min_size=2, max_size=40))
@example(query=WORST_NAME, shared=[WORST_NAME] * 40)
def test_picking_among_clients_that_share_a_name(query: str, shared: list[str]) -> None:
    message = choose_client(query, book(shared), pending_id=2**62)
    assert_message_fits(message)
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    assert len(actions["elements"]) == min(len(shared), MAX_CANDIDATES)
    hidden = len(shared) - MAX_CANDIDATES
    assert (f"and {hidden:,} more" in message.text) == (hidden > 0)


@LIMITS
@given(
    query=texts(500),
    shared=st.lists(names, min_size=2, max_size=40),
    note=notes,
    owner=rep_names,
)
@example(query=WORST_NAME, shared=[WORST_NAME] * 40, note=WORST_NOTE, owner=WORST_NAME)
def test_every_refusal(query: str, shared: list[str], note: str, owner: str | None) -> None:
    clients = book(shared)
    refusals: list[Refusal] = [
        Ambiguous(query, clients, note),
        NoMatch(query, clients[:3]),
        EmptyNote(clients[0]),
        NoteTooLong(len(note) + MAX_NOTE),
        DayInFuture(TODAY + dt.timedelta(days=1)),
        BadDate(query),
        FollowUpInPast(TODAY - dt.timedelta(days=1)),
        ClientGone(),
        NotAllowed(clients[0], owner),
        NotAllowed(dataclasses.replace(clients[0], owner_id=None), None),
    ]
    for refusal in refusals:
        for verb in ("log", "show", "edit"):
            assert_message_fits(refusal_message(refusal, TODAY, verb=verb))


@LIMITS
@given(name=names)
@example(name=WORST_NAME)
def test_every_sentence_about_a_client(name: str) -> None:
    c = client(1, name)
    later = TODAY + dt.timedelta(days=5)
    sentences = [
        text.client_added(c),
        text.client_exists(c),
        text.client_saved(c),
        text.client_archived(c),
        text.reassigned(c, "U0PRIYA"),
        text.undone(c),
        text.empty_note(c),
        text.snoozed(c, later, TODAY),
        text.handed_back(c),
        text.not_yours_to_hand_back(c),
    ]
    for words in sentences:
        assert_message_fits(plain(words))


@LIMITS
@given(
    shared=st.lists(names, min_size=1, max_size=30),
    more=st.integers(0, 10**6),
    note=notes,
)
@example(shared=[WORST_NAME] * 30, more=10**6, note=WORST_NOTE)
def test_the_digest_and_touch_list(shared: list[str], more: int, note: str) -> None:
    items = [quiet(c) for c in book(shared)]
    # Each client's last conversation and a promise, in the rep's words.
    recalls = {i.client.id: Recall(TODAY, note, note, False) for i in items}
    digest = digest_message(Digest(tuple(items[:5]), more), TODAY, recalls)
    assert_message_fits(digest)
    assert_message_fits(list_message(items, TODAY))
    first = items[0].client
    marked = mark_item(digest.blocks, first.id, text.handed_back(first))
    assert marked is not None
    assert_message_fits(marked)


@LIMITS
@given(
    shared=st.lists(names, min_size=0, max_size=60),
    waiting=st.lists(st.tuples(names, st.sampled_from((None, *USERS))), max_size=15),
)
@example(shared=[WORST_NAME] * 60, waiting=[(WORST_NAME, "U0PRIYA")] * 15)
def test_the_home_tab(shared: list[str], waiting: list[tuple[str, str | None]]) -> None:
    note = WORST_NOTE
    clients = book(shared)
    rows = tuple(
        Row(c, quiet(c) if i % 2 else None, i or None, TODAY, TODAY if i % 3 else None)
        for i, c in enumerate(clients)
    )
    handed_back = tuple(
        HandedBack(client(1000 + i, name), by, NOW) for i, (name, by) in enumerate(waiting)
    )
    recalls = {c.id: Recall(TODAY, note, note, False) for c in clients}
    view = home_view(
        Home(rows, Week(12, 7), handed_back, recalls=recalls, calendar=True), today=TODAY, tz=NY
    )
    assert_view_fits(view, "home")


@LIMITS
@given(
    name=names,
    owner=rep_names,
    history=st.lists(st.tuples(notes, rep_names), max_size=HISTORY),
)
@example(name=WORST_NAME, owner=WORST_NAME, history=[(WORST_NOTE, WORST_NAME)] * HISTORY)
def test_the_client_view_and_touch_show(
    name: str, owner: str | None, history: list[tuple[str, str | None]]
) -> None:
    c = client(1, name)
    touches = [touch(i, note, USERS[i % 3]) for i, (note, _) in enumerate(history)]
    display = {USERS[i % 3]: rep for i, (_, rep) in enumerate(history) if rep}
    if owner:
        display["U0SAM"] = owner
    for editable in (True, False):
        view = client_view(c, touches, display, today=TODAY, tz=NY, editable=editable)
        assert_view_fits(view, "modal")
    summary = text.client_summary(c, touches[:5], display.get("U0SAM"), TODAY, TODAY, display, NY)
    assert_message_fits(plain("\n".join(summary)))


@LIMITS
@given(name=names, note=notes, query=texts(500), shared=st.lists(names, max_size=120))
@example(name=WORST_NAME, note=WORST_NOTE, query=WORST_NAME, shared=[WORST_NAME] * 120)
def test_the_forms_and_the_client_picker(
    name: str, note: str, query: str, shared: list[str]
) -> None:
    c = client(1, name)
    assert_view_fits(log_touch_view(c, TODAY, note, Source.SHORTCUT), "modal")
    assert_view_fits(log_touch_view(None, TODAY), "modal")
    assert_view_fits(add_client_view("U0SAM"), "modal")
    assert_view_fits(done_view(name, text.client_archived(c)), "modal")
    options = client_options(query, book(shared))
    assert len(options) <= 100
    if options:
        # The options endpoint's answer, checked as a static select's options are.
        picker = {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Client"},
            "accessory": {"type": "static_select", "action_id": "client", "options": options},
        }
        assert_message_fits(Message("Client", (picker,)))


@LIMITS
@given(
    shared=st.lists(names, min_size=1, max_size=30),
    reps=st.lists(rep_names, min_size=1, max_size=12),
    note=st.one_of(texts(100), notes),
)
@example(shared=[WORST_NAME] * 30, reps=[WORST_NAME] * 12, note="&" * 100)
def test_the_weekly_recap(shared: list[str], reps: list[str | None], note: str) -> None:
    renewing = [
        ClientActivity(
            dataclasses.replace(c, renewal_date=TODAY + dt.timedelta(days=10 + c.id % 20)),
            last_touch_at=MIDWEEK - dt.timedelta(days=200),
        )
        for c in book(shared)
    ]
    tallies = tuple(RepTally(USERS[i % 3] + str(i), r, 10, 10 - i % 10) for i, r in enumerate(reps))
    week_touches = tuple(
        WeekTouch(i + 1, name, f"U0REP{i}", reps[i % len(reps)], MIDWEEK, f"reviewed {note}")
        for i, name in enumerate(shared)
    )
    recap_input = data(
        reps=tallies,
        touches=week_touches,
        clients=tuple(
            dataclasses.replace(
                c,
                activity=renewing[i],
                first_in_week=MIDWEEK,
                last_before_week=MIDWEEK - dt.timedelta(days=200),
            )
            for i, c in enumerate(data().clients[: len(renewing)])
        ),
    )
    assert_message_fits(build_recap(recap_input, now=NOW, tz=NY))
