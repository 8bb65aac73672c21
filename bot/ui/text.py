"""Every word Touchbase says to people, in one place, so the voice stays the same.

The voice: a thoughtful colleague. Short, warm, plain words, no IDs, no jargon, no blame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.core.model import Client, Kind, Touch


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


# When the work after a request fails. Only a database that isn't answering is worth a retry.
DATABASE_AWAY = (
    "Sorry — I can't reach the client records just now, so that didn't go through. "
    "Please try again in a moment."
)
NOT_SAVED_AS_WRITTEN = "Sorry — I couldn't save that as written, so nothing was saved."
WENT_WRONG = "Sorry — something went wrong on my side, and I couldn't finish that."


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
    tz: dt.tzinfo,
) -> str:
    """Days are the reader's: a touch at 9 pm in New York is today there, not tomorrow."""
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
            when = day_label(t.occurred_at.astimezone(tz).date(), today)
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
        "`/touch` on its own — a form to fill in; or choose *Log as touch* on any message",
        "Calls, visits, reviews, advice and help with a claim count as value-adding; paperwork, "
        "invoices and cards as routine. Add `#value` or `#routine` to choose yourself.",
        "",
        "*More*",
        "`/touch show acme` — last touches, owner, tier and renewal",
        "`/touch undo` — remove your last touch (within 10 minutes)",
        "`/touch pause`, `/touch pause until 2026-12-01`, `/touch resume` — "
        "stop or restart my morning notes",
        "`/touch add Acme Insurance Group renews 2027-03-14 tier A owner @sam` — add a client "
        "(`/touch add` on its own: a form)",
        "`/touch edit acme` — change the owner, renewal, tier or other names, or archive",
        "Your whole book, most urgent first, is on my *Home* tab.",
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
FORM_KIND_VALUE = "Value-adding"
FORM_KIND_ROUTINE = "Routine"
FORM_FOLLOW_UP = "Remind me to follow up on"
FORM_FOLLOW_UP_HINT = "Pick a day (optional)"
FORM_NOTE_EMPTY = "Add a few words about what happened."
FORM_DAY_FUTURE = "That day hasn't happened yet."
FORM_FOLLOW_UP_PAST = "Pick a day after today for the reminder."


# The App Home

HOME_TITLE = "Your clients"
HOME_HINT = (
    "Clients who need you most come first. Type `/touch` anywhere to log a touch, "
    "or `/touch help` for everything else."
)
HOME_LOG_ANY = "Log a touch"
HOME_ADD = "Add a client"
HOME_OPEN = "Open client"
HOME_ATTENTION = "*Could use a touch now*"
HOME_REST = "*Everyone else*"
HOME_EMPTY = (
    "You don't look after any clients yet. Add one with the button above, "
    "or with `/touch add <name>`."
)
HOME_HANDED_BACK = "*Waiting for a new owner*"
HOME_REASSIGN = "Choose a new owner"


def week_summary(touches: int, value: int) -> str:
    if touches == 0:
        return "No touches logged yet this week. One quick call is a fine start."
    noun = "touch" if touches == 1 else "touches"
    share = round(100 * value / touches)
    return f"This week: *{touches} {noun}*, {value} of them value-adding ({share}%)."


def last_touch(days: int | None) -> str:
    if days is None:
        return "No touches yet"
    return f"Last touch {days_ago(days)}"


def renews(day: dt.date | None, today: dt.date) -> str:
    return f"Renews {short_date(day, today)}" if day else "No renewal date"


def snoozed_until(until: dt.date, today: dt.date) -> str:
    return f"Snoozed until {day_label(until, today)}"


def home_more(count: int) -> str:
    noun = "client" if count == 1 else "clients"
    return f"…and {count} more {noun}. Find any of them with `/touch show <name>`."


def handed_back_line(client: Client, by: str | None, day: dt.date | None, today: dt.date) -> str:
    who = f" by <@{by}>" if by else ""
    when = f" {day_label(day, today)}" if day else ""
    return f"*{client.name}* was handed back{who}{when}."


def handed_back_more(count: int) -> str:
    return f"…and {count} more. Give these an owner first, and the rest will show up here."


# Looking after a client: the client view, adding, editing, archiving

CLIENT_SAVE = "Save"
CLIENT_CLOSE = "Close"
CLIENT_OWNER = "Owner"
CLIENT_OWNER_HINT = "They get the morning notes about this client."
CLIENT_RENEWAL = "Renewal date"
CLIENT_TIER = "Tier"
CLIENT_NO_TIER = "Not set"
CLIENT_ALIASES = "Other names"
CLIENT_ALIASES_HINT = (
    "Separate them with commas, for example: Acme, AIG. /touch finds the client by any of them."
)
CLIENT_ALIAS_TOO_LONG = "Each name can be up to 200 characters."
CLIENT_ARCHIVE = "Archive client"
CLIENT_ARCHIVE_TITLE = "Archive this client?"
CLIENT_ARCHIVE_YES = "Archive"
CLIENT_ARCHIVE_NO = "Keep"
CLIENT_NAME = "Name"
CLIENT_NAME_EMPTY = "What's the client called?"
CLIENT_NAME_TOO_LONG = "That name is longer than 200 characters."
ADD_TITLE = "Add a client"
ADD_SUBMIT = "Add"
DONE = "Done"
CLIENT_WONT_OPEN = "Sorry — I couldn't open that just now. Please try again in a moment."


def archive_confirm(client: Client) -> str:
    return (
        f"*{client.name}* leaves the book and nobody gets notes about them any more. "
        "Their touches are kept."
    )


def not_allowed(client: Client, owner: str | None) -> str:
    if owner is None:
        return (
            f"*{client.name}* has no owner right now, so only a Touchbase admin can change it. "
            "You can still log touches with them any time."
        )
    return (
        f"Only {owner}, who looks after *{client.name}*, or a Touchbase admin can change it. "
        "You can still log touches with them any time."
    )


def client_saved(client: Client) -> str:
    return f"Saved your changes to *{client.name}*."


def client_archived(client: Client) -> str:
    return f"Archived *{client.name}*. Nobody will get notes about them any more."


def reassigned(client: Client, owner_id: str) -> str:
    return f"*{client.name}* now belongs to <@{owner_id}>."


def also_called(alias: str) -> str:
    return f"also called {alias}"


# The log-touch form's client picker

FORM_CLIENT = "Client"
FORM_CLIENT_HINT = "Start typing a name"
FORM_CLIENT_EMPTY = "Which client was it?"
FORM_KIND_HINT = "Leave it, and I'll decide from the note."
FORM_WONT_OPEN = (
    "Sorry — I couldn't open the form just now. You can also type it: "
    "`/touch acme called about their claim`"
)


# The weekly recap


def week_span(first: dt.date, last: dt.date) -> str:
    """'16–22 November', '30 November – 6 December', '28 December 2026 – 3 January 2027'."""
    if first.year != last.year:
        return f"{first.day} {first:%B} {first.year} – {last.day} {last:%B} {last.year}"
    if first.month != last.month:
        return f"{first.day} {first:%B} – {last.day} {last:%B}"
    return f"{first.day}–{last.day} {last:%B}"


def recap_title(first: dt.date, last: dt.date) -> str:
    return f"Last week at a glance · {week_span(first, last)}"


def _count(count: int, one: str, many: str) -> str:
    """'1 touch', '2 touches', '12,345 touches'."""
    return f"{count:,} {one if count == 1 else many}"


def _and(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def percent(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole`, halves rounded up; 0 when `whole` is 0."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def recap_figures(touches: int, value_touches: int, reached: int, book: int) -> str:
    words = (
        f"We logged *{_count(touches, 'touch', 'touches')}* last week, and "
        f"*{percent(value_touches, touches)}%* of them added real value for the client."
    )
    if book:
        words += f" Together we reached *{reached:,} of our {_count(book, 'client', 'clients')}*."
    return words


def recap_thanks(reps: Sequence[tuple[str, int]], others: int) -> str:
    """`reps`: (name as mrkdwn, value-adding touches), most first. Only ever the positive."""
    names = _and([f"{name} ({count})" for name, count in reps])
    lines = ["*Thank you* 🎉", f"Most value-adding touches: {names}."]
    if others == 1:
        lines.append("And thank you to one more teammate who added value for a client.")
    elif others > 1:
        lines.append(f"And thank you to {others:,} more teammates who added value for a client.")
    return "\n".join(lines)


RECAP_NOTABLE_TITLE = "*Worth a mention*"
_NOTABLE_WORDS = {
    "a review": "did a review with {client}",
    "a visit": "sat down with {client}",
    "help with a claim": "helped {client} with a claim",
}


def recap_notable(rep: str, client: str, what: str, quote: str | None) -> str:
    action = _NOTABLE_WORDS.get(what, "added value for {client}").format(client=f"*{client}*")
    line = f"• {rep} {action}"
    return f"{line}: “{quote}”" if quote else line


def recap_comebacks(clients: Sequence[tuple[str, int]], more: int) -> str:
    """`clients`: (name, days quiet before this week's touch)."""
    parts = [f"*{name}* (quiet for {days} days)" for name, days in clients]
    if more:
        parts.append(f"{more:,} more")
    return f"*Back in touch*\nThese clients heard from us again after a quiet spell: {_and(parts)}."


def recap_renewals_title(days: int) -> str:
    return f"*Renewals in the next {days} days*"


def recap_no_renewals(days: int) -> str:
    return f"No renewals in the next {days} days."


def recap_renewal(
    client: str, renews_on: dt.date, today: dt.date, *, value_since: bool, had_previous: bool
) -> str:
    since = "since the last renewal" if had_previous else "in the last year"
    head = f"• *{client}* renews {day_label(renews_on, today)}"
    if value_since:
        return f"{head} — ✅ value-adding contact {since}"
    return f"{head} — no value-adding contact yet {since}"


def recap_renewals_more(count: int) -> str:
    return f"…and {_count(count, 'more renewal', 'more renewals')} coming up."


def recap_quiet(count: int) -> str:
    if count == 0:
        return "Every client has heard from us recently. Lovely work, everyone."
    verb = "hasn't" if count == 1 else "haven't"
    return (
        f"*{_count(count, 'client', 'clients')}* {verb} heard from us in a while. "
        "A short call or something useful would go a long way this week."
    )


RECAP_FOOTER = "Log a touch any time with `/touch <client> …` and it shows up in next week's recap."


def recap_empty_week(renewals: int, days: int) -> str:
    lines = [
        "No touches were logged last week. It happens! A fresh week starts today, and even a "
        "two-minute check-in call counts."
    ]
    if renewals:
        renew = _count(renewals, "client renews", "clients renew")
        lines.append(f"{renew} in the next {days} days: a good place to start.")
    return "\n".join(lines)


def recap_fallback(
    touches: int, value_touches: int, reached: int, book: int, renewals: int, days: int
) -> str:
    """The notification text: the week's figures in one line."""
    words = (
        f"Last week: {_count(touches, 'touch', 'touches')}, "
        f"{percent(value_touches, touches)}% value-adding"
    )
    if book:
        words += f", {reached:,} of {_count(book, 'client', 'clients')} reached"
    words += "."
    if renewals:
        words += f" {_count(renewals, 'renewal', 'renewals')} in the next {days} days."
    return words


def recap_fallback_empty(renewals: int, days: int) -> str:
    words = "No touches were logged last week."
    if renewals:
        words += f" {_count(renewals, 'renewal', 'renewals')} in the next {days} days."
    return words


# For the admin reading the logs: one line each, saying what to do.


def recap_invite_bot(channel: str) -> str:
    return (
        f"The weekly recap wasn't posted: Touchbase isn't in channel {channel} and can't join "
        "it by itself. Type /invite @Touchbase in that channel, then run `touchbase recap`."
    )


def recap_channel_not_found(channel: str) -> str:
    return (
        f"The weekly recap wasn't posted: Slack can't find channel {channel}. Check that "
        "TOUCHBASE_RECAP_CHANNEL is the channel's ID (such as C0123ABCD), not its name; "
        "for a private channel, type /invite @Touchbase in it."
    )


def recap_channel_archived(channel: str) -> str:
    return (
        f"The weekly recap wasn't posted: channel {channel} is archived. Point "
        "TOUCHBASE_RECAP_CHANNEL at a channel in use."
    )
