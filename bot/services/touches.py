"""The `/touch` command and its buttons: read, decide in the core, write, then reply."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import metrics
from bot.core.classify import evidence_words
from bot.core.commands import (
    AddClient,
    Command,
    EditClient,
    FutureDay,
    Help,
    ListDue,
    Log,
    OpenForm,
    Pause,
    Resume,
    Show,
    Undo,
    Usage,
    parse,
)
from bot.core.dates import BadDate, next_renewal
from bot.core.matching import Ambiguous, BookBehind, fold, mentioned_client
from bot.core.model import Client, FlipCount, NewClient, Rep, Source
from bot.core.plan import MAX_NOTE, TouchPlan, plan_note, plan_touch
from bot.core.record_id import record_id
from bot.core.refusals import ClientGone, DayInFuture, Refusal
from bot.core.reps import needs_refresh
from bot.db import repository as repo
from bot.deps import Deps
from bot.services import clients, name_index, privacy
from bot.services.nudges import current_items
from bot.services.reps import ensure_rep, fresh_rep
from bot.ui import blocks, text
from bot.ui.blocks import Message, Pick, plain
from bot.ui.digest import list_message
from bot.ui.modals import LogForm, Modal, log_touch_view
from bot.ui.render import mrkdwn_to_text
from bot.ui.replies import refusal_message

UNDO_WINDOW = dt.timedelta(minutes=10)
# How long pick-the-client buttons keep working; their pending touches are pruned after it.
PICK_WINDOW = dt.timedelta(days=1)


def run_command(deps: Deps, team_id: str, user_id: str, command_text: str) -> Message:
    """Answer one `/touch` command. Every path returns a reply; refusals write nothing."""
    now = deps.clock()
    # One checkout reads the rep and, when the rep needs no refresh from Slack (nearly every
    # time) and the command logs a touch, what its plan needs; it is given back before any
    # write or call to Slack.
    with deps.db.statements() as session:
        known = repo.get_rep(session, team_id, user_id)
        rep = None if needs_refresh(known, now) else known
        if rep is not None:
            command = _parsed(rep, command_text, now)
            planned = _planned_in(session, rep, command, now)
    if rep is None:
        rep = fresh_rep(deps, team_id, user_id, known, now)
        command, planned = _parsed(rep, command_text, now), None
    tz = ZoneInfo(rep.tz)
    return _dispatch(deps, command, rep, now, tz, now.astimezone(tz).date(), planned)


def _parsed(rep: Rep, command_text: str, now: dt.datetime) -> Command:
    return parse(command_text, now.astimezone(ZoneInfo(rep.tz)).date())


def _planned_in(
    session: Session, rep: Rep, command: Command, now: dt.datetime
) -> TouchPlan | Refusal | None:
    """A touch's plan from this session's reads; None for another command, or when a client
    was erased under the reads (log_touch plans it again)."""
    if not isinstance(command, Log):
        return None
    try:
        return _plan_in(session, rep, command.rest, command.day, now, ZoneInfo(rep.tz))
    except BookBehind:
        return None


def _dispatch(
    deps: Deps,
    command: Command,
    rep: Rep,
    now: dt.datetime,
    tz: ZoneInfo,
    today: dt.date,
    planned: TouchPlan | Refusal | None = None,
) -> Message:
    match command:
        case Log(rest=rest, day=day):
            return log_touch(deps, rep, rest, day, now, tz, planned)
        case Help():
            return plain(text.HELP)
        case OpenForm():
            return blank_form(today)
        case ListDue():
            return list_due(deps, rep, now)
        case EditClient(query=query):
            return clients.open_by_name(deps, rep, query)
        case Undo():
            return undo(deps, rep, now)
        case Show(query=query):
            return show(deps, rep, query, today)
        case AddClient():
            return add_client(deps, rep, command, now)
        case Pause(until=until):
            return set_pause(deps, rep, until or dt.date.max, today)
        case Resume():
            return set_pause(deps, rep, None, today)
        case Usage(topic="add", problem="name"):
            # `/touch add` on its own: a form to fill in the name and the rest.
            return clients.add_form(rep.user_id)
        case Usage(topic=topic, problem=problem):
            return plain(text.usage(topic, problem))
        case FutureDay(day=day):
            return refusal_message(DayInFuture(day), today)
        case BadDate():
            return refusal_message(command, today)
    raise AssertionError(f"unhandled command {command!r}")


def log_touch(
    deps: Deps,
    rep: Rep,
    rest: str,
    day: dt.date | None,
    now: dt.datetime,
    tz: ZoneInfo,
    plan: TouchPlan | Refusal | None = None,
) -> Message:
    """Log the touch `plan`s (or, when it is None, the one planned here), or say why not."""
    if plan is None:
        plan = _plan(deps, rep, rest, day, now, tz)
    if isinstance(plan, Ambiguous) and len(plan.note) <= MAX_NOTE:
        # The touch waits with the day the rep gave, so a pick logs exactly what they typed.
        with deps.db.transaction(write=True) as session:
            repo.prune_pending_touches(session, now - PICK_WINDOW)
            pending = repo.add_pending_touch(session, rep.team_id, rep.user_id, plan.note, day, now)
        return blocks.choose_client(plan.query, plan.candidates, pending, plan.more)
    return record(deps, rep, plan, now, Source.SLASH)


def _plan(
    deps: Deps, rep: Rep, rest: str, day: dt.date | None, now: dt.datetime, tz: ZoneInfo
) -> TouchPlan | Refusal:
    # Each read stands alone (the index's version read, then the clients changed since; the
    # settings; the flips): no transaction's round trips on PostgreSQL.
    try:
        with deps.db.statements() as session:
            return _plan_in(session, rep, rest, day, now, tz)
    except BookBehind:
        # A client was erased between the index's version read and its row's: the next
        # version read sees the erasure.
        with deps.db.statements() as session:
            return _plan_in(session, rep, rest, day, now, tz)


def _plan_in(
    session: Session, rep: Rep, rest: str, day: dt.date | None, now: dt.datetime, tz: ZoneInfo
) -> TouchPlan | Refusal:
    with name_index.current(session, rep.team_id) as book:
        date_order, evidence = _reading(session, rep.team_id, rest)
        return plan_touch(rest, day, book, now=now, tz=tz, date_order=date_order, evidence=evidence)


def _reading(session: Session, team_id: str, text: str) -> tuple[str, dict[str, FlipCount]]:
    """How the workspace writes dates, and what its flips say about the words of `text`."""
    settings = repo.workspace_settings(session, team_id)
    return settings.date_order, repo.kind_evidence(session, team_id, evidence_words(text))


def record(
    deps: Deps,
    rep: Rep,
    plan: TouchPlan | Refusal,
    now: dt.datetime,
    source: Source,
) -> Message:
    """Record a planned touch and say so, or say why not: from `/touch`, the log-touch form and
    the message shortcut. (A pick button saves in the transaction that marks its pending touch.)"""
    if not isinstance(plan, TouchPlan):
        return refusal_message(plan, now.astimezone(ZoneInfo(rep.tz)).date())
    try:
        with deps.db.transaction(write=True) as session:
            touch = repo.add_touch(
                session, plan.to_new_touch(rep.team_id, rep.user_id, now, source)
            )
    except IntegrityError:
        # The client was erased after it was read (its touches go with it): say so, not "error".
        with deps.db.transaction() as session:
            if repo.get_client(session, rep.team_id, plan.client.id) is not None:
                raise
        return refusal_message(ClientGone(), now.astimezone(ZoneInfo(rep.tz)).date())
    return _logged(plan, touch.id, source)


def _logged(plan: TouchPlan, touch_id: int, source: Source) -> Message:
    """Count a touch just saved, and say so."""
    metrics.TOUCHES_LOGGED.labels(source.value, plan.kind.value).inc()
    return blocks.touch_logged(
        touch_id=touch_id,
        client=plan.client,
        kind=plan.kind,
        because=plan.because,
        day=plan.day,
        today=plan.today,
        follow_up_on=plan.follow_up_on,
        overridden=plan.overridden,
        learned=plan.learned,
    )


def log_from_form(deps: Deps, team_id: str, user_id: str, form: LogForm) -> Message:
    """Record a touch from the form; the form's kind and follow-up date win over the note's."""
    now = deps.clock()
    rep = ensure_rep(deps, team_id, user_id, now)
    client_id = record_id(form.client_id)
    with deps.db.transaction() as session:
        client = repo.get_client(session, team_id, client_id) if client_id else None
        date_order, evidence = _reading(session, team_id, form.note)
    if client is None:
        return record(deps, rep, ClientGone(), now, form.source)
    plan = plan_note(
        client,
        form.note,
        form.day,
        now=now,
        tz=ZoneInfo(rep.tz),
        date_order=date_order,
        evidence=evidence,
    )
    if isinstance(plan, TouchPlan) and form.kind:
        plan = replace(plan, kind=form.kind, because=None, overridden=True, learned=None)
    if isinstance(plan, TouchPlan):
        plan = replace(
            plan,
            follow_up_on=form.follow_up_on or plan.follow_up_on,
            private=form.private or plan.private,
        )
    return record(deps, rep, plan, now, form.source)


def pick_client(deps: Deps, team_id: str, user_id: str, value: str) -> Message:
    """A click on one of the "which client?" buttons logs the touch the rep first typed, once."""
    now = deps.clock()
    pick = Pick.decode(value)
    if pick is None:
        return plain(text.PICK_GONE)
    rep = ensure_rep(deps, team_id, user_id, now)
    with deps.db.transaction(write=True) as session:
        pending = repo.lock_pending_touch(
            session, team_id, user_id, pick.pending_id, since=now - PICK_WINDOW
        )
        client = repo.get_client(session, team_id, pick.client_id) if pending else None
        if pending is None or client is None:
            return plain(text.PICK_GONE)
        if pending.logged:
            return plain(text.PICK_DONE)
        date_order, evidence = _reading(session, team_id, pending.note)
        tz = ZoneInfo(rep.tz)
        plan = plan_note(
            client,
            pending.note,
            pending.day,
            now=now,
            tz=tz,
            date_order=date_order,
            evidence=evidence,
        )
        if not isinstance(plan, TouchPlan):
            return refusal_message(plan, now.astimezone(tz).date())
        # Marked in the transaction that logs it: a second click finds it logged.
        repo.mark_pending_logged(session, pending.id, now)
        touch = repo.add_touch(session, plan.to_new_touch(team_id, user_id, now, Source.SLASH))
    return _logged(plan, touch.id, Source.SLASH)


def flip_kind(deps: Deps, team_id: str, user_id: str, value: str) -> Message:
    """The button on a logged touch: value-adding becomes routine and back."""
    now = deps.clock()
    touch_id = record_id(value)
    if touch_id is None:
        return plain(text.FLIP_GONE)
    rep = ensure_rep(deps, team_id, user_id, now)
    with deps.db.transaction(write=True) as session:
        touch = repo.get_touch(session, team_id, touch_id)
        if touch is None:
            return plain(text.FLIP_GONE)
        if touch.rep_id != user_id:
            return plain(text.FLIP_NOT_YOURS)
        kind = touch.kind.flipped()
        repo.set_touch_kind(session, team_id, touch.id, kind)
        client = repo.get_client(session, team_id, touch.client_id)
        assert client is not None  # touches cascade with their client
        # The flip is evidence about the note's words for later notes, not about the client.
        names = frozenset(w for name in client.names for w in fold(name))
        repo.add_kind_evidence(session, team_id, evidence_words(touch.note, names), kind)
    tz = ZoneInfo(rep.tz)
    return blocks.touch_logged(
        touch_id=touch.id,
        client=client,
        kind=kind,
        because=None,
        day=touch.occurred_at.astimezone(tz).date(),
        today=now.astimezone(tz).date(),
        follow_up_on=touch.follow_up_on,
        overridden=True,
    )


def list_due(deps: Deps, rep: Rep, now: dt.datetime) -> Message:
    """Everything due now for the caller's clients, privately."""
    items = current_items(deps, rep, now)
    return list_message(items, now.astimezone(ZoneInfo(rep.tz)).date())


def undo(deps: Deps, rep: Rep, now: dt.datetime) -> Message:
    with deps.db.transaction(write=True) as session:
        touch = repo.latest_touch_logged_by(session, rep.team_id, rep.user_id)
        if touch is None or now - touch.logged_at > UNDO_WINDOW:
            return plain(text.NOTHING_TO_UNDO)
        client = repo.get_client(session, rep.team_id, touch.client_id)
        repo.delete_touch(session, rep.team_id, touch.id)
    assert client is not None
    return plain(text.undone(client))


def show(deps: Deps, rep: Rep, query: str, today: dt.date) -> Message:
    with deps.db.transaction() as session:
        client = clients.lookup(session, rep.team_id, query)
        if not isinstance(client, Client):
            return refusal_message(client, today, verb="show")
        touches = repo.recent_touches(session, rep.team_id, client.id, limit=5)
        people = {t.rep_id for t in touches} | ({client.owner_id} if client.owner_id else set())
        names = {
            uid: r.display_name for uid, r in repo.get_reps(session, rep.team_id, people).items()
        }
        settings = repo.workspace_settings(session, rep.team_id)
    shown = privacy.shown_to(deps, rep, client, touches, settings, surface="/touch show")
    renewal = next_renewal(client.renewal_date, today) if client.renewal_date else None
    owner = names.get(client.owner_id or "")
    summary = text.client_summary(
        client, shown.touches, owner, renewal, today, names, ZoneInfo(rep.tz), shown.hidden
    )
    return plain("\n".join(summary))


def add_client(deps: Deps, rep: Rep, command: AddClient, now: dt.datetime) -> Message:
    new = NewClient(
        team_id=rep.team_id,
        name=command.name,
        owner_id=command.owner_id or rep.user_id,
        tier=command.tier,
        renewal_date=command.renewal_date,
    )
    return clients.add(deps, new, now)


def set_pause(deps: Deps, rep: Rep, until: dt.date | None, today: dt.date) -> Message:
    with deps.db.transaction(write=True) as session:
        current = repo.get_rep(session, rep.team_id, rep.user_id) or rep
        repo.save_rep(session, replace(current, paused_until=until))
    return plain(text.paused(until, today))


def form_for_message(deps: Deps, team_id: str, user_id: str, message: str) -> dict[str, Any]:
    """The "Log as touch" shortcut: the log-touch form with the message as the note, and the
    client it mentions already picked when it mentions exactly one."""
    now = deps.clock()
    rep = ensure_rep(deps, team_id, user_id, now)
    note = mrkdwn_to_text(message).strip()
    with deps.db.transaction() as session:
        known = repo.active_clients(session, team_id)
    today = now.astimezone(ZoneInfo(rep.tz)).date()
    return log_touch_view(mentioned_client(note, known), today, note, Source.SHORTCUT)


def blank_form(today: dt.date) -> Modal:
    """The log-touch form with nothing filled in: `/touch` on its own."""
    return Modal(text.FORM_WONT_OPEN, view=log_touch_view(None, today))


def open_form(deps: Deps, team_id: str, user_id: str) -> Modal:
    """The blank form for the home's Log a touch button, dated today in the rep's zone."""
    now = deps.clock()
    rep = ensure_rep(deps, team_id, user_id, now)
    return blank_form(now.astimezone(ZoneInfo(rep.tz)).date())
