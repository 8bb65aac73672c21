"""Every word Touchbase says to people, in one place, so the voice stays the same.

The voice: a thoughtful colleague. Short, warm, plain words, no IDs, no jargon, no blame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.core.model import Client, Kind, Tier, Touch


def day_label(day: dt.date, today: dt.date) -> str:
    """'today', 'yesterday', 'Friday 20 November', with the year only when it differs."""
    if day == today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    label = f"{day:%A} {day.day} {day:%B}"
    return label if day.year == today.year else f"{label} {day.year}"


def short_date(day: dt.date, today: dt.date | None = None) -> str:
    """'14 March', with the year when it isn't this year."""
    label = f"{day.day} {day:%B}"
    return label if today is not None and day.year == today.year else f"{label} {day.year}"


def days_ago(days: int) -> str:
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


KIND_WORDS = {Kind.VALUE: "value-adding", Kind.ROUTINE: "routine"}


# /touch replies


def logged(
    client: Client,
    kind: Kind,
    because: str | None,
    day: dt.date,
    today: dt.date,
    follow_up_on: dt.date | None,
) -> str:
    when = "" if day == today else f" ({day_label(day, today)})"
    reason = f" — {because}" if because and kind is Kind.VALUE else ""
    lines = [f"Logged a touch with *{client.name}*{when}. Counted as *{KIND_WORDS[kind]}*{reason}."]
    if follow_up_on is not None:
        lines.append(f"I'll remind you to follow up {day_label(follow_up_on, today)}.")
    return "\n".join(lines)


def flip_button(kind: Kind) -> str:
    return "Count as routine" if kind is Kind.VALUE else "Count as value-adding"


def flipped(client: Client, kind: Kind) -> str:
    return f"Done — your touch with *{client.name}* now counts as *{KIND_WORDS[kind]}*."


FLIP_GONE = "That touch isn't there any more, so there's nothing to change."
FLIP_NOT_YOURS = "Only the person who logged that touch can change how it counts."


def ambiguous(query: str, count: int) -> str:
    return f"A few clients match “{query}”. Which one did you mean?"


def which_client(query: str, candidates: Sequence[Client], verb: str) -> str:
    names = ", ".join(f"*{c.name}*" for c in candidates)
    return f"A few clients match “{query}”: {names}. Try `/touch {verb}` with the full name."


PICK_GONE = "That choice has expired. Please send the /touch command again."


def no_match(query: str, closest: Sequence[Client]) -> str:
    lines = [f"I couldn't find a client called “{query}”, so nothing was saved."]
    if closest:
        names = ", ".join(f"*{c.name}*" for c in closest)
        lines.append(f"Closest names I have: {names}.")
    lines.append(f"To add them: `/touch add {query}`")
    return "\n".join(lines)


def empty_note(client: Client) -> str:
    first = client.name.split()[0].lower()
    return (
        f"What happened with *{client.name}*? Add a few words after the name, for example:\n"
        f"`/touch {first} called to check on their claim`"
    )


NO_CLIENT_GIVEN = (
    "Which client was it? Put the name after the day, for example:\n"
    "`/touch yesterday acme called about their claim`"
)


def note_too_long(length: int, limit: int) -> str:
    return (
        f"That note is {length} characters; I can take up to {limit} here. "
        "Please shorten it, or type `/touch` on its own to use the form."
    )


def day_in_future(day: dt.date, today: dt.date) -> str:
    return (
        f"{day_label(day, today).capitalize()} hasn't happened yet, so I can't log a touch for it. "
        "Log it on the day, or set a reminder with “follow up "
        f"{day.isoformat()}” in the note."
    )


def bad_date(text: str) -> str:
    return f"“{text}” isn't a real date. Please use YYYY-MM-DD, for example 2026-03-14."


def follow_up_in_past(day: dt.date, today: dt.date) -> str:
    return (
        f"The follow-up date ({day_label(day, today)}) has already passed, so nothing was saved. "
        "Pick a day after today."
    )


SAVE_FAILED = "Sorry — I couldn't save that, please try again in a moment."
SOMETHING_WRONG = (
    "Sorry — something went wrong on my side and nothing was changed. Please try again."
)


def undone(client: Client) -> str:
    return f"Removed your last touch with *{client.name}*."


NOTHING_TO_UNDO = (
    "There's nothing to undo: I can remove your own last touch for 10 minutes after you log it."
)


def paused(until: dt.date | None, today: dt.date) -> str:
    if until is None:
        return "Welcome back — your morning notes are on again."
    if until == dt.date.max:
        return "Paused. I won't send you morning notes until you say `/touch resume`."
    return (
        f"Paused. I won't send you morning notes until {day_label(until, today)}. "
        "`/touch resume` starts them again sooner."
    )


def client_summary(
    client: Client,
    touches: Sequence[Touch],
    owner_name: str | None,
    next_renewal: dt.date | None,
    today: dt.date,
    rep_names: dict[str, str],
) -> str:
    facts = [f"Owner: {owner_name or 'nobody yet'}"]
    facts.append(f"Tier: {client.tier.value if client.tier else 'not set'}")
    facts.append(
        f"Next renewal: {short_date(next_renewal, today)}" if next_renewal else "No renewal date"
    )
    lines = [f"*{client.name}*", " · ".join(facts)]
    if not touches:
        lines.append("No touches logged yet.")
    else:
        lines.append("Last touches:")
        for t in touches:
            when = day_label(t.occurred_at.date(), today)
            who = rep_names.get(t.rep_id, "someone")
            lines.append(f"• {when} — {who}: {one_line(t.note, 120)} _({KIND_WORDS[t.kind]})_")
    return "\n".join(lines)


def one_line(note: str, limit: int) -> str:
    flat = " ".join(note.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def client_added(client: Client) -> str:
    return f"Added *{client.name}*. Log a touch with `/touch {client.name.lower()} …`"


def client_exists(client: Client) -> str:
    return f"*{client.name}* is already in your book. To change it: `/touch edit {client.name}`"


TIER_NAMES = {Tier.A: "A", Tier.B: "B", Tier.C: "C"}

USAGE = {
    "log": "`/touch [day] <client> <what happened>` — for example `/touch acme called about claim`",
    "show": "`/touch show <client>` — for example `/touch show acme`",
    "edit": "`/touch edit <client>` — for example `/touch edit acme`",
    "undo": "`/touch undo` removes your last touch if you logged it in the last 10 minutes.",
    "pause": "`/touch pause` or `/touch pause until 2026-12-01`, then `/touch resume`",
    "add": (
        "`/touch add <name> [renews YYYY-MM-DD] [tier A|B|C] [owner @someone]` — for example "
        "`/touch add Acme Insurance Group renews 2027-03-14 tier A owner @sam`"
    ),
}

USAGE_PROBLEMS = {
    ("log", "client"): "Which client was it?",
    ("pause", "date"): "Please give the date as YYYY-MM-DD.",
    ("pause", "past"): "That date has already passed.",
    ("add", "quotes"): "A quote mark isn't closed.",
    ("add", "renews"): "Please give the renewal date as YYYY-MM-DD.",
    ("add", "tier"): "The tier is A, B or C.",
    ("add", "owner"): "Mention the owner with @, for example owner @sam.",
    ("add", "order"): "Please put the name first, then the options.",
    ("add", "name"): "What's the client called?",
}


def usage(topic: str, problem: str | None) -> str:
    hint = USAGE_PROBLEMS.get((topic, problem or ""), "")
    return f"{hint} Try: {USAGE[topic]}".strip()


HELP = "\n".join(
    [
        "*Log a client touch in seconds*",
        "`/touch acme called about their claim` — logs a touch with Acme",
        "`/touch yesterday brightside lunch with the owner` — a day first: "
        "`yesterday`, a weekday or `2026-03-14`",
        '`/touch "north star" sent renewal paperwork` — quotes for names that share words',
        "`/touch acme reviewed cover, follow up friday` — I'll remind you on Friday",
        "Calls, visits, reviews, advice and help with a claim count as value-adding; paperwork, "
        "invoices and cards as routine. Add `#value` or `#routine` to choose yourself.",
        "",
        "*More*",
        "`/touch show acme` — last touches, owner, tier and renewal",
        "`/touch undo` — remove your last touch (within 10 minutes)",
        "`/touch pause`, `/touch pause until 2026-12-01`, `/touch resume` — "
        "stop or restart my morning notes",
        "`/touch add Acme Insurance Group renews 2027-03-14 tier A owner @sam` — add a client",
    ]
)


# The morning digest and /touch list

DIGEST_GREETING = "Good morning! A few clients could use a touch from you today:"
DIGEST_FOOTER = (
    "Log a contact with `/touch <client> …` or the buttons. `/touch pause` if you need a break."
)
LOG_BUTTON = "Log a touch"
SNOOZE_BUTTON = "Snooze a week"
SNOOZE_PICK = "Or snooze until…"
NOT_MINE_BUTTON = "Not my client"
NOT_MINE_CONFIRM_TITLE = "Hand this client back?"
NOT_MINE_CONFIRM_YES = "Hand back"
NOT_MINE_CONFIRM_NO = "Keep"


def not_mine_confirm(client: Client) -> str:
    return (
        f"You'll stop getting notes about *{client.name}*, and an admin will find them a new owner."
    )


def and_more(count: int) -> str:
    noun = "client" if count == 1 else "clients"
    return f"…and {count} more {noun} — `/touch list`"


def list_more(count: int) -> str:
    return f"…and {count} more. Start with these."


def quiet_reason(days: int) -> str:
    return f"No contact in {days} days"


def renewal_reason(
    renewal_on: dt.date, today: dt.date, only_routine_since: bool, had_previous: bool
) -> str:
    left = (renewal_on - today).days
    when = short_date(renewal_on, today)
    head = (
        f"Renews {when}"
        if left > 14
        else ("Renews today" if left == 0 else f"Renews in {left} days ({when})")
    )
    since = "since the last renewal" if had_previous else "in the last year"
    if only_routine_since:
        return f"{head} — only paperwork {since}"
    return f"{head} — no value-adding contact {since}"


def promise_reason(due: dt.date, today: dt.date) -> str:
    if due == today:
        return "You planned to follow up today"
    return f"You planned to follow up {day_label(due, today)}"


def check_in_reason(days: int) -> str:
    return f"They had a claim or a problem {days} days ago — how did it turn out?"


SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "quiet": (
        "Ask how their business is going.",
        "Share something useful: an article, a tip, a contact.",
        "Ask for their feedback, and listen.",
        "Offer a quick review of their cover.",
        "Suggest a coffee or a ten-minute call.",
    ),
    "renewal": (
        "Offer to review their cover before the renewal.",
        "Ask what has changed in their business this year.",
        "Ask what they'd like done differently next year.",
    ),
    "promise": (
        "Do what you promised; even a short update counts.",
        "A quick call to close the loop will be appreciated.",
    ),
    "check_in": (
        "Check in on how the claim is going.",
        "Ask how things turned out, and listen.",
    ),
}


def digest_fallback(names: Sequence[str], more: int) -> str:
    """The notification text: short, and names the clients."""
    listed = ", ".join(names)
    extra = f" and {more} more" if more else ""
    return f"A few clients could use a touch today: {listed}{extra}."


LIST_HEADER = "Clients who could use a touch now:"
LIST_EMPTY = "Nobody needs you right now: every client has heard from you recently. Nice work."


def snoozed(client: Client, until: dt.date, today: dt.date) -> str:
    return f"Snoozed *{client.name}* until {day_label(until, today)}."


def snooze_date_passed(today: dt.date) -> str:
    return "Please pick a day after today to snooze until."


def handed_back(client: Client) -> str:
    return f"Handed *{client.name}* back. An admin will find them a new owner."


CLIENT_GONE = "That client isn't in the book any more."


def not_yours_to_hand_back(client: Client) -> str:
    return (
        f"*{client.name}* belongs to someone else, so there's nothing to hand back. "
        "If you'd rather not hear about it for a while, snooze it."
    )


# The log-touch form

FORM_TITLE = "Log a touch"
FORM_SUBMIT = "Save"
FORM_CLOSE = "Cancel"
FORM_NOTE = "What happened?"
FORM_NOTE_HINT = "Called about their claim, reviewed their cover, sent the invoice…"
FORM_DAY = "When"
FORM_KIND = "How does it count?"
FORM_KIND_AUTO = "Let Touchbase decide from the note"
FORM_KIND_VALUE = "Value-adding"
FORM_KIND_ROUTINE = "Routine"
FORM_FOLLOW_UP = "Remind me to follow up on"
FORM_FOLLOW_UP_HINT = "Pick a day (optional)"
FORM_NOTE_EMPTY = "Add a few words about what happened."
FORM_DAY_FUTURE = "That day hasn't happened yet."
FORM_FOLLOW_UP_PAST = "Pick a day after today for the reminder."


def form_client(client: Client) -> str:
    return f"*{client.name}*"
