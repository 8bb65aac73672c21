"""Every word Touchbase says to people, in one place, so the voice stays the same.

The voice: a thoughtful colleague. Short, warm, plain words, no IDs, no jargon, no blame.

Sentences are Slack mrkdwn, and take user content raw: client names, notes, rep names and what
a rep typed go in only through `_user` (or `_person`), which escapes them and keeps each within
its budget below, so a client called "Ping <!channel>" pings nobody and every sentence fits
Slack's limits whatever the name or note, in any script. Words for plain_text (button and
option labels, titles) are never escaped: Slack shows those as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from bot.core.model import MAX_NAME, Client, Kind, Touch
from bot.ui.mrkdwn import literal

# Budgets for user content, in characters once escaped ("&" becomes "&amp;").
# A client's name: any name up to MAX_NAME in full, unless it is mostly & < >.
NAME = 2 * MAX_NAME
# A name in a confirm dialog, whose text holds 300 characters.
CONFIRM_NAME = 150
# A name in a list of many (the recap's renewals, say), and a rep's display name.
LIST_NAME = 80
# A note in a list of touches.
NOTE_LINE = 120
# What a rep typed, said back to them.
TYPED = 100
# The last conversation, or a promise, recalled in a morning note or on the Home tab.
RECALLED = 100


def _user(words: str, limit: int = NAME) -> str:
    """User content as mrkdwn: on one line, escaped, at most `limit` characters."""
    return literal(words, limit)


def _name(client: Client, limit: int = NAME) -> str:
    return f"*{_user(client.name, limit)}*"


def _person(user_id: str, name: str | None) -> str:
    """A rep: their display name, or a mention (the bot's own) when we don't know it."""
    return _user(name, LIST_NAME) if name and name.strip() else f"<@{user_id}>"


def day_label(day: dt.date, today: dt.date) -> str:
    """'today', 'yesterday', 'Friday 20 November', with the year only when it differs."""
    if day == today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    return _dated(day, today)


def _dated(day: dt.date, today: dt.date) -> str:
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


def day_and_date(day: dt.date, today: dt.date) -> str:
    """'today, Thursday 3 December', 'Friday 27 November': the day a rep can check at a glance."""
    label = day_label(day, today)
    return f"{label}, {_dated(day, today)}" if abs((day - today).days) <= 1 else label


def _why(kind: Kind, because: str | None, overridden: bool, learned: str | None) -> str:
    """Why a touch counted as it did, in a few words."""
    if overridden:
        return "your choice"
    if learned:
        return f"your team has counted notes with “{_user(learned, TYPED)}” as {KIND_WORDS[kind]}"
    if because:
        return because
    return "no call, visit, review or advice in the note"


def logged(
    client: Client,
    kind: Kind,
    because: str | None,
    day: dt.date,
    today: dt.date,
    follow_up_on: dt.date | None,
    *,
    overridden: bool = False,
    learned: str | None = None,
) -> str:
    """The reply to a logged touch: the client, the day understood, how it counts and why, and
    the follow-up understood, so the rep can see each and correct it."""
    why = _why(kind, because, overridden, learned)
    lines = [
        f"Logged a touch with {_name(client)} for {day_and_date(day, today)}. "
        f"Counted as *{KIND_WORDS[kind]}* — {why}."
    ]
    if follow_up_on is not None:
        lines.append(f"I'll remind you to follow up {day_and_date(follow_up_on, today)}.")
    return "\n".join(lines)


def flip_button(kind: Kind) -> str:
    return "Count as routine" if kind is Kind.VALUE else "Count as value-adding"


FLIP_GONE = "That touch isn't there any more, so there's nothing to change."
FLIP_NOT_YOURS = "Only the person who logged that touch can change how it counts."


def ambiguous(query: str, count: int, hidden: int = 0) -> str:
    """Above the pick buttons: `count` clients fit, `hidden` of them got no button."""
    if count == 1:
        return f"I'm not sure “{_user(query, TYPED)}” names this client. Is it the one you mean?"
    words = f"A few clients match “{_user(query, TYPED)}”. Which one did you mean?"
    if hidden:
        words += f"\n…and {hidden:,} more: type more of the name to find them."
    return words


def which_client(query: str, candidates: Sequence[Client], hidden: int, verb: str) -> str:
    names = ", ".join(_name(c) for c in candidates)
    more = f" and {hidden:,} more" if hidden else ""
    return (
        f"A few clients match “{_user(query, TYPED)}”: {names}{more}. "
        f"Try `/touch {verb}` with the full name."
    )


PICK_GONE = "That choice has expired. Please send the /touch command again."
PICK_DONE = "Already logged: that touch was saved when you first picked the client."


def no_match(query: str, closest: Sequence[Client]) -> str:
    if not query:
        return (
            "I couldn't tell which client that was, so nothing was saved. Name them anywhere, "
            "for example: `/touch lunch with the owner of acme`"
        )
    lines = [f"I couldn't find a client called “{_user(query, TYPED)}”, so nothing was saved."]
    if closest:
        names = ", ".join(_name(c) for c in closest)
        lines.append(f"Closest names I have: {names}.")
    lines.append(f"To add them: `/touch add {_user(query)}`")
    return "\n".join(lines)


def empty_note(client: Client) -> str:
    first = client.name.split()[0].lower()
    return (
        f"What happened with {_name(client)}? Add a few words after the name, for example:\n"
        f"`/touch {_user(first)} called to check on their claim`"
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
    return (
        f"“{_user(text, TYPED)}” isn't a real date. Please use YYYY-MM-DD, for example 2026-03-14."
    )


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
# When more requests are waiting than the work pool takes: the command was not run at all.
BUSY = (
    "Sorry — I'm too busy to take that right now, so nothing was saved. "
    "Please send it again in a moment."
)


def undone(client: Client) -> str:
    return f"Removed your last touch with {_name(client)}."


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


def owner(client: Client, owner_name: str | None) -> str | None:
    """How to name the client's owner in a sentence; None when it has none."""
    return _person(client.owner_id, owner_name) if client.owner_id else None


def client_summary(
    client: Client,
    touches: Sequence[Touch],
    owner_name: str | None,
    next_renewal: dt.date | None,
    today: dt.date,
    rep_names: Mapping[str, str],
    tz: dt.tzinfo,
    hidden: Collection[int] = frozenset(),
) -> list[str]:
    """The client's facts and recent touches, a line each, every line well within a section.

    Days are the reader's: a touch at 9 pm in New York is today there, not tomorrow. A touch in
    `hidden` has a note the reader may not read: it shows as a private note, with its day.
    """
    facts = [f"Owner: {owner(client, owner_name) or 'nobody yet'}"]
    facts.append(f"Tier: {client.tier.value if client.tier else 'not set'}")
    facts.append(
        f"Next renewal: {short_date(next_renewal, today)}" if next_renewal else "No renewal date"
    )
    lines = [_name(client), " · ".join(facts)]
    if not touches:
        lines.append("No touches logged yet.")
    else:
        lines.append("Last touches:")
        for t in touches:
            when = day_label(t.occurred_at.astimezone(tz).date(), today)
            who = _user(rep_names[t.rep_id], LIST_NAME) if rep_names.get(t.rep_id) else "someone"
            note = PRIVATE_NOTE if t.id in hidden else _user(t.note, NOTE_LINE)
            if t.private and t.id not in hidden:
                note = f"🔒 {note}"  # those who may read it see that it is private
            lines.append(f"• {when} — {who}: {note} _({KIND_WORDS[t.kind]})_")
    return lines


PRIVATE_NOTE = "🔒 private note"


def one_line(note: str, limit: int) -> str:
    """Plain text on one line, cut to `limit`: for labels and titles, never for mrkdwn."""
    flat = " ".join(note.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def client_added(client: Client) -> str:
    return f"Added {_name(client)}. Log a touch with `/touch {_user(client.name.lower())} …`"


def client_exists(client: Client) -> str:
    return (
        f"{_name(client)} is already in your book. To change it: `/touch edit {_user(client.name)}`"
    )


USAGE = {
    "log": (
        "`/touch [day] &lt;client&gt; &lt;what happened&gt;` — "
        "for example `/touch acme called about claim`"
    ),
    "show": "`/touch show &lt;client&gt;` — for example `/touch show acme`",
    "edit": "`/touch edit &lt;client&gt;` — for example `/touch edit acme`",
    "undo": "`/touch undo` removes your last touch if you logged it in the last 10 minutes.",
    "pause": "`/touch pause` or `/touch pause until 2026-12-01`, then `/touch resume`",
    "add": (
        "`/touch add &lt;name&gt; [renews YYYY-MM-DD] [tier A|B|C] [owner @someone]` — for example "
        "`/touch add Acme Insurance Group renews 2027-03-14 tier A owner @sam`"
    ),
}

# A client's name or alias, on every path: `/touch add`, the forms and (in its own words) CSV.
NAME_TOO_LONG = f"That name is too long; please keep it to {MAX_NAME} characters."

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
    ("add", "long"): NAME_TOO_LONG,
}


def usage(topic: str, problem: str | None) -> str:
    hint = USAGE_PROBLEMS.get((topic, problem or ""), "")
    return f"{hint} Try: {USAGE[topic]}".strip()


HELP = "\n".join(
    [
        "*Log a client touch in seconds: write it the way you'd say it*",
        "`/touch coffee w/ dave at northwind yday, f/u in 2 wks`",
        "`/touch called acme about their claim, circle back next month`",
        "`/touch last tues renewal review mtg with precision machining`",
        "I find the client wherever you name it (typos, short forms and accents are fine), "
        "the day (`yday`, `last fri`, `nov 25`, `11/24`) and any promise (`f/u friday`, "
        "`remind me in 3 days`, `check back after the holidays`). The reply says what I "
        "understood; if two clients fit, or I'm not sure, I ask.",
        "*Shortcuts:* `/touch acme called about their claim` (the client first), "
        "`/touch acme friday reviewed cover` (then a day), "
        '`/touch "north star" sent paperwork` (quotes for names that share words), '
        "`#value` or `#routine` to choose how it counts.",
        "`/touch` on its own — a form to fill in; or choose *Log as touch* on any message",
        "Calls, visits, reviews, advice and help with a claim count as value-adding; paperwork, "
        "invoices and cards as routine. The button on each reply flips it, and I learn from "
        "your team's flips.",
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
    "Log a contact with `/touch &lt;client&gt; …` or the buttons. "
    "`/touch pause` if you need a break."
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
        f"You'll stop getting notes about {_name(client, CONFIRM_NAME)}, and an admin will find "
        "them a new owner."
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


def promise_reason(due: dt.date, today: dt.date, what: str | None = None) -> str:
    """`what`: the note that made the promise, without the promise itself."""
    when = "today" if due == today else day_label(due, today)
    if what:
        return f"You said you'd follow up {when}: “{_user(what, RECALLED)}”"
    return f"You planned to follow up {when}"


def last_talked(day: dt.date, note: str, today: dt.date) -> str:
    """'Last talked 12 Jul: lunch with the owner, expansion plans'."""
    when = f"{day.day} {day:%b}" if day.year == today.year else f"{day.day} {day:%b} {day.year}"
    return f"Last talked {when}: {_user(note, RECALLED)}"


def check_in_reason(days: int) -> str:
    return f"They had a claim or a problem {days} days ago — how did it turn out?"


def anniversary_reason(years: int, day: dt.date, today: dt.date) -> str:
    when = day_label(day, today) if abs((day - today).days) <= 1 else f"on {_dated(day, today)}"
    return f"Has been with you {_count(years, 'year', 'years')} {when} — a thank-you note or call?"


SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "quiet": (
        "Ask how their business is going.",
        "Share something useful: an article, a tip, a contact.",
        "Ask for their feedback, and listen.",
        "Offer a quick review of their cover.",
        "Call just to listen: ask what's on their mind this season.",
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
    "anniversary": (
        "Thank them for their trust: a handwritten note stands out.",
        "Call to say thank you, and ask what you could do better.",
        "Share something useful with your thanks: an article, a tip, a contact.",
    ),
}

# When the last conversation names something to ask about (bot.core.topics.Topic).
TOPIC_QUESTIONS: dict[str, str] = {
    "claim": "Ask how the claim turned out.",
    "family": "Ask after their family news.",
    "expansion": "Ask how the expansion went.",
    "move": "Ask how the move went.",
    "hire": "Ask how the new hire is settling in.",
    "premises": "Ask how the new premises are working out.",
    "vehicle": "Ask how the new vehicle is working out.",
    "event": "Ask how the event went.",
}


def nudge_item(client: Client, reason: str, suggestion: str, last_talked: str | None) -> str:
    lines = [_name(client), reason, *([last_talked] if last_talked else []), f"_{suggestion}_"]
    return "\n".join(lines)


def digest_fallback(clients: Sequence[Client], more: int) -> str:
    """The notification text: short, and names the clients."""
    listed = ", ".join(_user(c.name) for c in clients)
    extra = f" and {more} more" if more else ""
    return f"A few clients could use a touch today: {listed}{extra}."


def unowned_line(count: int) -> str:
    """Atop an admin's digest. No names: the Home tab lists the clients, for admins only."""
    return (
        f"*{unowned_fallback(count).removesuffix('.')}*: whoever looked after them is no "
        "longer in Slack. Choose new owners under *Needs a new owner* on my Home tab."
    )


def unowned_fallback(count: int) -> str:
    return f"{_count(count, 'client needs', 'clients need')} a new owner."


LIST_HEADER = "Clients who could use a touch now:"
LIST_EMPTY = "Nobody needs you right now: every client has heard from you recently. Nice work."


def snoozed(client: Client, until: dt.date, today: dt.date) -> str:
    return f"Snoozed {_name(client)} until {day_label(until, today)}."


def snooze_date_passed(today: dt.date) -> str:
    return "Please pick a day after today to snooze until."


def handed_back(client: Client) -> str:
    return f"Handed {_name(client)} back. An admin will find them a new owner."


CLIENT_GONE = "That client isn't in the book any more."


def not_yours_to_hand_back(client: Client) -> str:
    return (
        f"{_name(client)} belongs to someone else, so there's nothing to hand back. "
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
FORM_PRIVATE = "Who can read the note"
FORM_PRIVATE_OPTION = "Private: only me, the client's owner and admins"


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
    "or with `/touch add &lt;name&gt;`."
)
HOME_UNOWNED = "*Needs a new owner*"
HOME_HANDED_BACK = "*Waiting for a new owner*"
HOME_REASSIGN = "Choose a new owner"
HOME_CALENDAR = (
    "*Calendar* · Your renewals, follow-ups and client anniversaries in Google Calendar or "
    "Outlook, kept up to date as you log touches."
)
HOME_CALENDAR_BUTTON = "Get a calendar link"
HOME_ADMIN = (
    "*Admin* · The workspace's settings: the weekly recap's channel, the time zone, when "
    "morning notes go out, how long clients may go quiet, holidays and privacy."
)
HOME_SETTINGS_BUTTON = "Workspace settings"


# The workspace settings form (admins only)

SETTINGS_TITLE = "Workspace settings"
SETTINGS_SUBMIT = "Save"
SETTINGS_RECAP_CHANNEL = "Weekly recap channel"
SETTINGS_RECAP_CHANNEL_HINT = (
    "The recap goes here on Mondays at 09:00. For a private channel, invite Touchbase to it "
    "first. Leave it empty for no recap (or, on a single-workspace server, "
    "TOUCHBASE_RECAP_CHANNEL)."
)
SETTINGS_TIMEZONE = "Time zone"
SETTINGS_TIMEZONE_PLACEHOLDER = "Such as Europe/London or America/New_York"
SETTINGS_TIMEZONE_HINT = (
    "The recap's Monday 09:00 and the dates of CSV files are in this zone; each rep's morning "
    "note follows their own Slack zone. Leave it empty for UTC (or TOUCHBASE_TIMEZONE)."
)
SETTINGS_NUDGE_HOUR = "Morning notes go out at"
SETTINGS_CADENCE_A = "Tier A clients have gone quiet after (days)"
SETTINGS_CADENCE_B = "Tier B clients have gone quiet after (days)"
SETTINGS_CADENCE_C = "Tier C clients have gone quiet after (days)"
SETTINGS_CADENCE_UNTIERED = "Clients with no tier have gone quiet after (days)"
SETTINGS_HOLIDAYS = "No morning notes on the public holidays of"
SETTINGS_HOLIDAYS_PLACEHOLDER = "A country code, such as US or GB"
SETTINGS_HOLIDAYS_HINT = "Leave it empty to send notes on every working day."
SETTINGS_DATE_ORDER = "In /touch, 11/12 means"
SETTINGS_MDY = "12 November (month first)"
SETTINGS_DMY = "11 December (day first)"
SETTINGS_RECAP_QUOTES = "The weekly recap may quote a note"
SETTINGS_QUOTES_ON = "Yes: a short one, never private, never about a claim"
SETTINGS_QUOTES_OFF = "No"
SETTINGS_NOTES_VISIBLE_TO = "Who reads the notes"
SETTINGS_NOTES_TEAM = "Everyone, except private notes"
SETTINGS_NOTES_OWNERS = "Only the note's author, the client's owner and admins"
SETTINGS_RETENTION = "Remove a note's text after (days)"
SETTINGS_RETENTION_HINT = "The touch stays. Leave it empty, or type off, to keep notes."
SETTINGS_ALARM = "Calendar renewals ring this many days before"
SETTINGS_ADMINS = "Also admins"
SETTINGS_ADMINS_HINT = (
    "Slack's admins and owners always are. Admins see these settings and the clients that need "
    "a new owner, and may change any client."
)
SETTINGS_SAVED = "Saved the workspace settings."
SETTINGS_ADMINS_ONLY = "Only admins can change the workspace settings; nothing was changed."


def setting_problem(key: str, problem: str) -> str:
    """What's wrong with a value in the settings form: the core's words, without the setting's
    key, which the form doesn't show."""
    return "This " + problem.removeprefix(f"{key} ") if problem.startswith(f"{key} ") else problem


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


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
    return f"…and {count} more {noun}. Find any of them with `/touch show &lt;name&gt;`."


def home_row(
    client: Client, reason: str | None, facts: Sequence[str], last_talked: str | None = None
) -> str:
    lines = [_name(client), *(line for line in (reason, last_talked) if line), " · ".join(facts)]
    return "\n".join(lines)


def handed_back_line(client: Client, by: str | None, day: dt.date | None, today: dt.date) -> str:
    who = f" by <@{by}>" if by else ""
    when = f" {day_label(day, today)}" if day else ""
    return f"{_name(client)} was handed back{who}{when}."


def unowned_home_line(client: Client, was: str, was_name: str | None) -> str:
    who = _person(was, was_name)
    return f"{_name(client)} was looked after by {who}, who is no longer in Slack."


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
CLIENT_ALIAS_TOO_LONG = f"Each name can be up to {MAX_NAME} characters."
CLIENT_SINCE = "Client since"
CLIENT_SINCE_HINT = (
    "Their anniversaries with you count from this day. Left empty: the day they were added."
)
CLIENT_ARCHIVE = "Archive client"
CLIENT_ARCHIVE_TITLE = "Archive this client?"
CLIENT_ARCHIVE_YES = "Archive"
CLIENT_ARCHIVE_NO = "Keep"
CLIENT_NAME = "Name"
CLIENT_NAME_EMPTY = "What's the client called?"
ADD_TITLE = "Add a client"
ADD_SUBMIT = "Add"
DONE = "Done"
CLIENT_WONT_OPEN = "Sorry — I couldn't open that just now. Please try again in a moment."


def archive_confirm(client: Client) -> str:
    return (
        f"{_name(client, CONFIRM_NAME)} leaves the book and nobody gets notes about them any more. "
        "Their touches are kept."
    )


CLIENT_ERASE = "Erase client…"
CLIENT_ERASE_TITLE = "Erase this client?"
CLIENT_ERASE_YES = "Erase for good"
CLIENT_ERASE_NO = "Keep"
CLIENT_ERASE_DONE = "Client erased"
ERASE_NOT_ALLOWED = "Only a Touchbase admin can erase a client."


def erase_confirm(client: Client) -> str:
    return (
        f"Everything about {_name(client, CONFIRM_NAME)} goes for good: every touch and note, "
        "reminders and snoozes. This can't be undone."
    )


def client_erased(client: Client, touches: int) -> str:
    noun = "touch" if touches == 1 else "touches"
    return f"Erased {_name(client)} and everything about them, {touches} {noun} included."


def not_allowed(client: Client, owner_name: str | None) -> str:
    """`owner_name`: the owner's display name, when we know it."""
    who = owner(client, owner_name)
    if who is None:
        return (
            f"{_name(client)} has no owner right now, so only a Touchbase admin can change it. "
            "You can still log touches with them any time."
        )
    return (
        f"Only {who}, who looks after {_name(client)}, or a Touchbase admin can change it. "
        "You can still log touches with them any time."
    )


def client_saved(client: Client) -> str:
    return f"Saved your changes to {_name(client)}."


def client_archived(client: Client) -> str:
    return f"Archived {_name(client)}. Nobody will get notes about them any more."


def reassigned(client: Client, owner_id: str) -> str:
    return f"{_name(client)} now belongs to <@{owner_id}>."


def also_called(alias: str) -> str:
    """An option's description: plain text."""
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


# The calendar feed: plain text (RFC 5545), never mrkdwn. Its words hold absolute dates only,
# so an event reads the same whenever it is looked at. A name may be long; no note ever goes in.

CALENDAR_NAME = "Touchbase"
# A client's name in an event's title.
CALENDAR_NAME_LIMIT = 120


# A feed writes hundreds of dates: looked up here, not formatted by strftime (ten times slower).
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _full_date(day: dt.date) -> str:
    """'Sunday 12 July 2026'."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def calendar_summary(kind: str, name: str, years: int | None = None) -> str:
    """The event's title: the reason, then the client. `kind` is a bot.core.calendar.FeedKind."""
    client = one_line(name, CALENDAR_NAME_LIMIT)
    if kind == "anniversary":
        return f"Anniversary: {client} ({_count(years or 0, 'year', 'years')})"
    return f"{_CALENDAR_TITLES[kind]}: {client}"


_CALENDAR_TITLES = {"renewal": "Renewal", "promise": "Follow up", "check-in": "Check in"}
# What to prepare, by kind of event: the title and the day say the rest.
_PREPARE = {
    "renewal": (
        "Prepare a review of their cover: ask what has changed for them this year, and what "
        "they'd like done differently."
    ),
    "promise": "Do what you promised; even a short update counts.",
    "anniversary": "Thank them for their trust: a handwritten note or a call.",
}


def calendar_description(
    kind: str,
    *,
    last_day: dt.date | None,
    last_kind: str | None,
    since: dt.date | None = None,
) -> str:
    """What to prepare, and the last value-adding contact's day and kind."""
    if kind == "check-in":
        when = f" on {_full_date(since)}" if since else ""
        prepare = f"Something came up{when}: ask how it turned out, and listen."
    else:
        prepare = _PREPARE[kind]
    if last_day is None:
        return f"{prepare}\nNo value-adding contact logged yet."
    what = f" ({_CONTACT_KINDS.get(last_kind, last_kind)})" if last_kind else ""
    return f"{prepare}\nLast value-adding contact: {_full_date(last_day)}{what}."


# bot.core.classify's words for a kind of contact, as an event says them.
_CONTACT_KINDS = {
    "a conversation": "a call",
    "checking in": "a check-in",
    "sharing something useful": "something useful shared",
}


def calendar_alarm(summary: str, days: int) -> str:
    when = "today" if days == 0 else f"in {_count(days, 'day', 'days')}"
    return f"{summary}, {when}"


CALENDAR_LINK_TITLE = "Your calendar link"
CALENDAR_LINK_CLOSE = "Done"


def calendar_link(url: str) -> list[str]:
    """The modal that shows a new feed link, once: the link, and how to subscribe to it."""
    return [
        "Here is your private calendar link. It is shown only now: copy it before you close this.",
        f"```{_user(url, 500)}```",
        "*Google Calendar:* *Other calendars* → *+* → *From URL*, paste the link, *Add calendar*.",
        "*Outlook:* *Add calendar* → *Subscribe from web*, paste the link, *Import*.",
    ]


CALENDAR_LINK_FOOTER = (
    "Renewals, follow-ups, check-ins and anniversaries of your clients, updated as touches are "
    "logged (your calendar app looks every few hours). No note is ever in it. Anyone with the "
    "link can read it: keep it to yourself. Getting a new link turns this one off."
)
CALENDAR_NOT_SET_UP = (
    "Calendar links aren't set up here yet: ask whoever runs Touchbase to set TOUCHBASE_PUBLIC_URL."
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


def _credited(user_id: str, name: str | None) -> str:
    """A rep in the recap: their name in bold, or a mention when we don't know it."""
    return f"*{_user(name, LIST_NAME)}*" if name and name.strip() else f"<@{user_id}>"


def recap_thanks(reps: Sequence[tuple[str, str | None, int]], others: int) -> str:
    """`reps`: (user ID, display name, value-adding touches), most first. Only ever the
    positive."""
    names = _and([f"{_credited(rep_id, name)} ({count})" for rep_id, name, count in reps])
    lines = ["*Thank you* 🎉", f"Most value-adding touches: {names}."]
    if others == 1:
        lines.append("And thank you to one more teammate who added value for a client.")
    elif others > 1:
        lines.append(f"And thank you to {others:,} more teammates who added value for a client.")
    return "\n".join(lines)


RECAP_NOTABLE_TITLE = "*Worth a mention*"
# The kind of contact, in public: a claim is never named in a team channel.
_NOTABLE_WORDS = {
    "a review": "did a review with {client}",
    "a visit": "visited {client}",
    "help with a claim": "checked in with {client}",
}


def recap_notable(
    rep_id: str, rep_name: str | None, client: str, what: str, quote: str | None
) -> str:
    named = f"*{_user(client, LIST_NAME)}*"
    action = _NOTABLE_WORDS.get(what, "added value for {client}").format(client=named)
    line = f"• {_credited(rep_id, rep_name)} {action}"
    return f"{line}: “{_user(quote)}”" if quote else line


def recap_comebacks(clients: Sequence[tuple[str, int]], more: int) -> str:
    """`clients`: (name, days quiet before this week's touch)."""
    parts = [f"*{_user(name, LIST_NAME)}* (quiet for {days} days)" for name, days in clients]
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
    head = f"• *{_user(client, LIST_NAME)}* renews {day_label(renews_on, today)}"
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


def recap_unowned(count: int) -> str:
    """No names: the people who left, and their clients, are for admins to see."""
    verb = "is" if count == 1 else "are"
    return (
        f"*{_count(count, 'client', 'clients')}* {verb} waiting for a new owner. An admin can "
        "give each one a new owner from Touchbase's Home tab."
    )


RECAP_FOOTER = (
    "Log a touch any time with `/touch &lt;client&gt; …` and it shows up in next week's recap."
)


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
        f"The weekly recap wasn't posted: Slack can't find channel {channel}. Check that the "
        "recap channel (the Home tab's Admin settings, `touchbase settings recap_channel`, or "
        "TOUCHBASE_RECAP_CHANNEL) is the channel's ID (such as C0123ABCD), not its name; "
        "for a private channel, type /invite @Touchbase in it."
    )


def recap_channel_archived(channel: str) -> str:
    return (
        f"The weekly recap wasn't posted: channel {channel} is archived. Choose a channel in "
        "use in the Home tab's Admin settings (or `touchbase settings recap_channel`)."
    )


# ---------------------------------------------------------------------------------------------
# The install pages (OAuth mode): plain HTML, shown in the installer's browser.

INSTALL_TITLE = "Add Touchbase to Slack"
INSTALL_LEAD = (
    "Touchbase keeps your client relationships warm between signing and renewal: reps log a "
    "touch with /touch, get a short note each morning about clients gone quiet, and the team "
    "gets a weekly recap."
)
INSTALL_BUTTON = "Add to Slack"
INSTALLED_TITLE = "Touchbase is in your workspace"
INSTALLED_NEXT = (
    "Next, open Touchbase in Slack and go to its Home tab: pick the channel for the weekly "
    "recap, and import your clients."
)
INSTALLED_OPEN = "Open Touchbase in Slack"
ORG_INSTALLED_TITLE = "Touchbase is in your organization"
ORG_INSTALLED_NEXT = (
    "Next, choose the workspaces that get Touchbase: Slack adds it to none until you do. Then "
    "open its Home tab in each to pick the channel for the weekly recap, and import clients."
)
ORG_INSTALLED_CHOOSE = "Choose workspaces"
NOT_INSTALLED_TITLE = "Touchbase wasn't added"
NOT_INSTALLED_CANCELLED = "The install was cancelled, so nothing was added to your workspace."
NOT_INSTALLED_EXPIRED = (
    "This install link has expired or was already used, so nothing was added. Start again "
    "from the Add to Slack page."
)
NOT_INSTALLED_FAILED = (
    "Slack and Touchbase couldn't finish the install, so nothing was added. Please try again "
    "from the Add to Slack page in a few minutes."
)
NOT_INSTALLED_AGAIN = "Back to the Add to Slack page"


# ---------------------------------------------------------------------------------------------
# The app's Slack manifest (bot/manifest.py; app_manifest.yml holds the same words).

APP_DESCRIPTION = "Keeps your client relationships warm between signing and renewal."
APP_LONG_DESCRIPTION = (
    "Touchbase helps account reps keep in touch with their clients between signing and "
    "renewal. After a call, a visit or a quick email, type /touch with the client's name and a "
    "few words about what happened, and Touchbase writes it down for you. Each morning it sends "
    "a short note about clients you have not been in touch with for a while and the follow-ups "
    "you asked to be reminded of, so no client goes quiet before renewal comes around. Once a "
    "week it posts a short recap to your team's channel that celebrates the value-adding "
    "contact everyone made and lists the renewals coming up. Your book lives on the Home tab, "
    "and you can log any Slack message as a touch from the message's menu."
)
COMMAND_DESCRIPTION = "Log a touch with a client, or look one up"
COMMAND_USAGE = "acme called about their claim · help"
SHORTCUT_NAME = "Log as touch"
SHORTCUT_DESCRIPTION = "Log this message as a touch with a client"
