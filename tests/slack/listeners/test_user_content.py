"""User content end to end: names, notes and rep names that push Slack's text rules and limits.

A client called `Ping <!channel> Partners` must read as those words everywhere, never ping a
channel; a name shared by 30 clients and a long note in any script must still get a reply
Slack accepts, through the real web app and the real services.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.core.model import Kind
from bot.core.plan import MAX_NOTE
from bot.devtools.standin import block_kit_problems, view_problems
from bot.services import clients, home, touches
from bot.services.nudges import run_pass
from bot.services.reps import ensure_rep
from tests.conftest import NOW, TEAM, Clock, WebApp, buttons
from tests.helpers import add_client, add_touch
from tests.helpers import touches as logged
from tests.ui.checks import mrkdwn_texts

HOSTILE = "Ping <!channel> Partners"
# Slack's control sequences: a mention, a special mention, a link. None may come from a name.
_CONTROL = re.compile(r"<[^>]*>")


def controls(payload: Any) -> set[str]:
    return {m for words in mrkdwn_texts(payload) for m in _CONTROL.findall(words)}


def test_thirty_clients_sharing_a_name_get_a_few_buttons_and_the_rest_counted(
    web: WebApp,
) -> None:
    for n in range(30):
        add_client(web.deps.db, f"Northstar {n:02} Holdings", aliases=("northstar",))
    reply = web.command("northstar called about the renewal")
    assert web.slack.rejected_responses == []
    assert "Which one did you mean?" in reply["text"], reply["text"]
    choices = buttons(reply)
    assert 1 <= len(choices) <= 10
    assert "and 22 more" in reply["text"] or "and 22 more" in str(reply["blocks"])
    assert block_kit_problems(reply["blocks"], surface="message") == []
    picked = web.click(choices[0])
    assert "Logged a touch with *Northstar 00 Holdings*" in picked["text"]
    assert logged(web.deps.db) == [("Northstar 00 Holdings", "called about the renewal", "value")]


def test_a_long_japanese_note_with_an_ambiguous_name_can_still_be_picked(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    note = ("お客様に電話して、保険の更新について相談しました。" * 15)[:355]
    reply = web.command(f"acme {note}")
    assert web.slack.rejected_responses == []
    assert "Which one did you mean?" in reply["text"], reply["text"]
    choices = buttons(reply)
    assert all(len(b["value"]) <= 100 for b in choices)
    assert block_kit_problems(reply["blocks"], surface="message") == []
    picked = web.click(choices[1])
    assert "Acme Logistics" in picked["text"]
    # How it counts is the classifier's business (it reads English for now); the note is whole.
    assert [(name, saved) for name, saved, _ in logged(web.deps.db)] == [("Acme Logistics", note)]


def test_the_longest_note_in_any_script_fits_the_pick_buttons(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    note = ("電話😀&<" * MAX_NOTE)[:MAX_NOTE]
    reply = web.command(f"acme {note}")
    assert web.slack.rejected_responses == []
    choices = buttons(reply)
    assert len(choices) == 2
    web.click(choices[0])
    assert [(name, saved) for name, saved, _ in logged(web.deps.db)] == [
        ("Acme Insurance Group", note)
    ]


def test_a_pick_logs_once_however_often_it_is_clicked(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    choices = buttons(web.command("acme called about the fleet"))
    web.click(choices[0])
    again = web.click(choices[1])
    assert again["text"] == "Already logged: that touch was saved when you first picked the client."
    assert logged(web.deps.db) == [("Acme Insurance Group", "called about the fleet", "value")]


def test_two_clicks_at_once_log_one_touch(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    choices = buttons(web.command("acme called about the fleet"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(web.click, [choices[0], choices[0]]))
    assert sorted(r["text"].split(".")[0] for r in replies) == [
        "Already logged: that touch was saved when you first picked the client",
        "Logged a touch with *Acme Insurance Group* for today, Monday 23 November",
    ]
    assert len(logged(web.deps.db)) == 1


def test_only_the_rep_who_typed_it_can_pick(web: WebApp) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    choices = buttons(web.command("acme called about the fleet"))
    assert "expired" in web.click(choices[0], user="U0PRIYA")["text"]
    assert logged(web.deps.db) == []


def test_a_pick_expires_after_a_day(web: WebApp, clock: Clock) -> None:
    add_client(web.deps.db, "Acme Insurance Group")
    add_client(web.deps.db, "Acme Logistics")
    choices = buttons(web.command("acme called about the fleet"))
    clock.advance(days=1, seconds=1)
    assert "expired" in web.click(choices[0])["text"]
    assert logged(web.deps.db) == []


def test_a_button_posted_before_the_pending_table_says_the_choice_expired(web: WebApp) -> None:
    client = add_client(web.deps.db, "Acme Insurance Group")
    old = {
        "type": "button",
        "action_id": f"touch_pick_client:{client.id}",
        "value": f'{{"c":{client.id},"n":"called","d":null}}',
    }
    assert (
        web.click(old)["text"] == "That choice has expired. Please send the /touch command again."
    )
    assert logged(web.deps.db) == []


def test_a_hostile_client_name_and_rep_name_never_become_mentions(web: WebApp) -> None:
    """The digest, the Home tab, `/touch list`, `/touch show` and the client view."""
    web.slack.add_user("U0SAM", name="<!here> Sam", tz="America/New_York")
    db = web.deps.db
    client = add_client(db, HOSTILE)
    add_touch(db, client, NOW - dt.timedelta(days=90), "met <@U0PRIYA> & <https://evil|click>")
    add_touch(
        db, client, NOW - dt.timedelta(days=80), "sent the <!everyone> invoice", kind=Kind.ROUTINE
    )
    deps = web.deps
    rep = ensure_rep(deps, TEAM, "U0SAM", NOW)

    run_pass(deps, NOW)
    [digest] = web.slack.dm_messages("U0SAM")
    listed = touches.run_command(deps, TEAM, "U0SAM", "list")
    shown = touches.run_command(deps, TEAM, "U0SAM", "show ping")
    tab = home.view_for(deps, rep)
    view = clients.open_client(deps, TEAM, "U0SAM", str(client.id))
    assert view is not None

    surfaces = {
        "digest": digest,
        "list": {"text": listed.text, "blocks": list(listed.blocks)},
        "show": {"text": shown.text, "blocks": list(shown.blocks)},
        "home": tab,
        "client view": view,
    }
    found = {name: controls(payload) for name, payload in surfaces.items()}
    assert found == {name: set() for name in surfaces}
    for name, payload in surfaces.items():
        assert any("Ping &lt;!channel&gt; Partners" in t for t in mrkdwn_texts(payload)), name
    assert "&lt;!here&gt; Sam" in shown.text
    assert "met &lt;@U0PRIYA&gt; &amp; &lt;https://evil|click&gt;" in shown.text
    assert view_problems(tab, expected_type="home") == []
    assert view_problems(view, expected_type="modal") == []
    # Plain text is shown as it is: the view's title is the name itself.
    assert view["title"]["text"] == HOSTILE
