"""User content where it meets mrkdwn: escaped once, in one place, and only there. Plain text
(labels, titles) is shown as typed; the bot's own mentions still mention."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.home import Home
from bot.core.model import Client, HandedBack, Kind, Source, Touch, Week
from bot.ui import text
from bot.ui.blocks import choose_client, sections
from bot.ui.clients import client_options, client_view
from bot.ui.home import home_view
from bot.ui.mrkdwn import literal
from bot.ui.render import mrkdwn_to_text
from tests.ui.checks import mrkdwn_texts, unsafe_mrkdwn

TODAY = dt.date(2026, 11, 23)
NY = ZoneInfo("America/New_York")
HOSTILE = "Ping <!channel> & <@U0PRIYA> <https://evil|click> &amp; *bold*"
ESCAPED = "Ping &lt;!channel&gt; &amp; &lt;@U0PRIYA&gt; &lt;https://evil|click&gt; &amp;amp; *bold*"


def client(name: str = HOSTILE, owner: str | None = "U0SAM") -> Client:
    return Client(7, "T1", name, owner_id=owner)


def test_a_name_is_escaped_once_in_a_sentence() -> None:
    assert text.client_saved(client()) == f"Saved your changes to *{ESCAPED}*."
    # Read back as Slack shows it: the very characters typed.
    name = "Ping <!channel> & <@U0PRIYA> &amp; Co"
    assert mrkdwn_to_text(text.client_saved(client(name))) == f"Saved your changes to {name}."


def test_literal_cuts_within_its_budget_and_never_inside_an_escape() -> None:
    assert literal("a  b\nc", 10) == "a b c"
    assert literal("&" * 10, 12) == "&amp;&amp;…"
    assert literal("ab<cd", 4) == "ab…"


@settings(max_examples=200, derandomize=True, database=None)
@given(words=st.text(st.sampled_from("a &<>\n電😀")), limit=st.integers(1, 60))
def test_literal_is_always_within_its_limit_and_reads_back_as_typed(words: str, limit: int) -> None:
    out = literal(words, limit)
    assert len(out) <= limit
    assert unsafe_mrkdwn({"text": out or "x"}) == []
    flat = " ".join(words.split())
    shown = mrkdwn_to_text(out)
    assert shown == flat or (shown.endswith("…") and flat.startswith(shown[:-1].rstrip()))


def test_the_bots_own_mentions_still_mention() -> None:
    handed = HandedBack(client(), "U0PRIYA", dt.datetime(2026, 11, 22, 15, tzinfo=dt.UTC))
    view = home_view(Home((), Week(), (handed,)), today=TODAY, tz=NY)
    assert any(
        f"*{ESCAPED}* was handed back by <@U0PRIYA> yesterday." == t for t in mrkdwn_texts(view)
    )
    assert text.reassigned(client(), "U0LEE").endswith("now belongs to <@U0LEE>.")
    # An owner whose name we don't know is mentioned; one we know is named, escaped.
    assert "Owner: <@U0SAM>" in text.client_summary(client(), [], None, None, TODAY, {}, NY)[1]
    assert (
        "Owner: &lt;!here&gt; Sam"
        in (text.client_summary(client(), [], "<!here> Sam", None, TODAY, {}, NY)[1])
    )
    assert unsafe_mrkdwn(view) == []


def test_plain_text_shows_the_name_as_typed() -> None:
    name = "A&B <Partners>"
    message = choose_client("a&b", [client(name), Client(8, "T1", "A&B Two")], pending_id=1)
    labels = [
        e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["A&B <Partners>", "A&B Two"]
    assert "“a&amp;b”" in message.text
    [option] = client_options("a&b", [client(name)])
    assert option["text"]["text"] == name
    view = client_view(client(name), [], {}, today=TODAY, tz=NY, editable=False)
    assert view["title"]["text"] == name


def test_the_client_view_packs_long_histories_into_sections() -> None:
    at = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
    touches = [
        Touch(i, "T1", 7, "U0SAM", at, at, "&" * 3000, Kind.VALUE, Source.SLASH) for i in range(10)
    ]
    lines = text.client_summary(client("&" * 200), touches, "&" * 200, None, TODAY, {}, NY)
    assert all(len(line) <= 500 for line in lines)
    assert all(len(s.text.text) <= 3000 for s in sections(lines))
