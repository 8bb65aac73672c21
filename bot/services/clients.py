"""Looking after clients from Slack: find, open, add, change, archive and reassign them.

Anyone may look at a client and log touches with it; only its owner or an admin may change it
(bot.core.clients.may_edit). Every change checks that again inside its transaction, so a
form opened before an owner changed can't be used to get round it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.core.clients import is_admin, may_edit
from bot.core.matching import Ambiguous, NoMatch, look_up
from bot.core.model import AuditAction, Client, NewClient, Rep, Status
from bot.core.owners import promises_follow
from bot.core.record_id import record_id
from bot.core.refusals import ClientGone, NotAllowed, Refusal
from bot.db import repository as repo
from bot.deps import Deps
from bot.services import erasure, privacy
from bot.services.reps import ensure_rep
from bot.services.settings import workspace_admins
from bot.ui import text
from bot.ui.blocks import Message, plain
from bot.ui.clients import (
    HISTORY,
    ClientAdd,
    ClientEdit,
    add_client_view,
    client_options,
    client_view,
    done_view,
)
from bot.ui.modals import Modal
from bot.ui.replies import refusal_message

log = logging.getLogger(__name__)


def options(deps: Deps, team_id: str, query: str) -> list[dict[str, Any]]:
    """The log-touch form's client picker: the workspace's clients that fit what was typed."""
    with deps.db.transaction() as session:
        clients = repo.active_clients(session, team_id)
    return client_options(query, clients)


def lookup(session: Session, team_id: str, query: str) -> Client | Ambiguous | NoMatch:
    """The active client a name or alias names, as `/touch show` and `/touch edit` look it up."""
    return look_up(query, repo.active_clients(session, team_id))


def _names(session: Session, team_id: str, user_ids: set[str | None]) -> dict[str, str]:
    reps = repo.get_reps(session, team_id, {u for u in user_ids if u})
    return {user_id: rep.display_name for user_id, rep in reps.items() if rep.display_name}


def _view(deps: Deps, rep: Rep, client: Client) -> dict[str, Any]:
    tz = ZoneInfo(rep.tz)
    with deps.db.transaction() as session:
        touches = repo.recent_touches(session, rep.team_id, client.id, limit=HISTORY)
        names = _names(session, rep.team_id, {client.owner_id, *(t.rep_id for t in touches)})
        settings = repo.workspace_settings(session, rep.team_id)
    shown = privacy.shown_to(deps, rep, client, touches, settings, surface="the client view")
    admin = is_admin(rep, settings.effective_admins(deps.settings.defaults))
    return client_view(
        client,
        shown.touches,
        names,
        hidden=shown.hidden,
        today=deps.clock().astimezone(tz).date(),
        tz=tz,
        editable=may_edit(client, rep.user_id, admin),
        erasable=admin,
    )


def open_client(deps: Deps, team_id: str, user_id: str, value: str) -> dict[str, Any] | None:
    """The client view for the home's Open client button; None when the client is gone."""
    rep = ensure_rep(deps, team_id, user_id, deps.clock())
    with deps.db.transaction() as session:
        client_id = record_id(value)
        client = repo.get_client(session, team_id, client_id) if client_id else None
    if client is None or client.status is Status.ARCHIVED:
        return None
    return _view(deps, rep, client)


def open_by_name(deps: Deps, rep: Rep, query: str) -> Message:
    """`/touch edit <client>`: the client view, or a reply when the name isn't clear."""
    with deps.db.transaction() as session:
        client = lookup(session, rep.team_id, query)
    if not isinstance(client, Client):
        return refusal_message(client, _today(deps, rep), verb="edit")
    return Modal(text.CLIENT_WONT_OPEN, view=_view(deps, rep, client))


def add_form(user_id: str) -> Modal:
    """`/touch add` with no name, or the home's Add a client button: the rep owns the client
    unless they choose someone else."""
    return Modal(text.usage("add", "name"), view=add_client_view(user_id))


def add(deps: Deps, new: NewClient, now: dt.datetime) -> Message:
    """Add a client, unless one of that name is already in the book."""
    with deps.db.transaction(write=True) as session:
        existing = repo.clients_by_name(session, new.team_id, [new.name])
        if existing:
            return plain(text.client_exists(next(iter(existing.values()))))
        client = repo.add_client(session, new, now)
    return plain(text.client_added(client))


def add_from_form(deps: Deps, team_id: str, user_id: str, form: ClientAdd) -> Message:
    fields = form.fields
    new = NewClient(
        team_id=team_id,
        name=form.name,
        aliases=fields.aliases,
        owner_id=fields.owner_id or user_id,
        tier=fields.tier,
        renewal_date=fields.renewal_date,
        client_since=fields.client_since,
    )
    return add(deps, new, deps.clock())


def _caller(deps: Deps, team_id: str, user_id: str) -> tuple[bool, dt.date]:
    """Whether the rep is an admin, and their today."""
    rep = ensure_rep(deps, team_id, user_id, deps.clock())
    return is_admin(rep, workspace_admins(deps, team_id)), _today(deps, rep)


def _changeable(
    session: Session, team_id: str, client_id: int | None, user_id: str, admin: bool
) -> Client | Refusal:
    """The client, if this rep may change it; otherwise why not."""
    client_id = record_id(client_id)
    client = repo.get_client(session, team_id, client_id) if client_id else None
    if client is None or client.status is Status.ARCHIVED:
        return ClientGone()
    if not may_edit(client, user_id, admin):
        names = _names(session, team_id, {client.owner_id})
        return NotAllowed(client, names.get(client.owner_id or ""))
    return client


def _today(deps: Deps, rep: Rep) -> dt.date:
    return deps.clock().astimezone(ZoneInfo(rep.tz)).date()


def save(deps: Deps, team_id: str, user_id: str, edit: ClientEdit) -> Message:
    """Save the client form, if this rep may change the client."""
    admin, today = _caller(deps, team_id, user_id)
    fields = edit.fields
    with deps.db.transaction(write=True) as session:
        client = _changeable(session, team_id, edit.client_id, user_id, admin)
        if not isinstance(client, Client):
            return refusal_message(client, today)
        if fields.owner_id:
            _hand_over(session, client, fields.owner_id)
        saved = repo.update_client(
            session,
            team_id,
            client.id,
            # The owner can't be emptied from the form: no choice keeps the one there is.
            owner_id=fields.owner_id or client.owner_id,
            tier=fields.tier,
            renewal_date=fields.renewal_date,
            aliases=fields.aliases,
            client_since=fields.client_since,
        )
        assert saved is not None
        _audit_owner(deps, session, user_id, AuditAction.OWNER_CHANGED, client, saved.owner_id)
    return plain(text.client_saved(saved))


def reassign(deps: Deps, team_id: str, user_id: str, client_id: int, owner_id: str) -> Message:
    """An admin gives a handed-back client, or one whose owner left, a new owner, from the home."""
    admin, today = _caller(deps, team_id, user_id)
    with deps.db.transaction(write=True) as session:
        client = _changeable(session, team_id, client_id, user_id, admin)
        if not isinstance(client, Client):
            return refusal_message(client, today)
        _hand_over(session, client, owner_id)
        repo.update_client(
            session,
            team_id,
            client.id,
            owner_id=owner_id,
            tier=client.tier,
            renewal_date=client.renewal_date,
            aliases=client.aliases,
            client_since=client.client_since,
        )
        _audit_owner(deps, session, user_id, AuditAction.REASSIGNED, client, owner_id)
    return plain(text.reassigned(client, owner_id))


def _audit_owner(
    deps: Deps,
    session: Session,
    user_id: str,
    action: AuditAction,
    client: Client,
    owner_id: str | None,
) -> None:
    """Record a new owner in the audit log; a save that keeps the owner records nothing."""
    if owner_id != client.owner_id:
        change = f"owner {client.owner_id or 'nobody'} -> {owner_id or 'nobody'}"
        repo.audit(session, client.team_id, user_id, action, client.id, change, at=deps.clock())


def _hand_over(session: Session, client: Client, owner_id: str) -> None:
    """Before `owner_id` takes the client over: the follow-ups its owner promised go with it,
    when that owner has left (bot.core.owners.promises_follow).

    They are re-attributed (touch.promise_owner), not rewritten: the touches still say who
    made each contact, and a note written as "I'll call them Friday" keeps its author.
    """
    previous = client.owner_id
    gone = repo.get_rep(session, client.team_id, previous) if previous else None
    if previous and promises_follow(gone, owner_id):
        moved = repo.hand_over_promises(session, client.team_id, client.id, previous, owner_id)
        if moved:
            log.info(
                "client %d: %d follow-up(s) of rep %s, who left, moved to %s",
                client.id,
                moved,
                previous,
                owner_id,
            )


def archive(deps: Deps, team_id: str, user_id: str, value: str) -> dict[str, Any]:
    """Archive a client from its view; returns the view's last screen, saying what happened."""
    admin, today = _caller(deps, team_id, user_id)
    with deps.db.transaction(write=True) as session:
        client = _changeable(session, team_id, record_id(value), user_id, admin)
        if not isinstance(client, Client):
            return done_view(text.CLIENT_ARCHIVE, refusal_message(client, today).text)
        repo.archive_client(session, team_id, client.id)
        repo.audit(session, team_id, user_id, AuditAction.ARCHIVED, client.id, at=deps.clock())
    return done_view(client.name, text.client_archived(client))


def erase(deps: Deps, team_id: str, user_id: str, value: str) -> dict[str, Any]:
    """An admin erases a client from its view; returns the view's last screen."""
    admin, _ = _caller(deps, team_id, user_id)
    with deps.db.transaction() as session:
        client_id = record_id(value)
        client = repo.get_client(session, team_id, client_id) if client_id else None
    if not admin:
        return done_view(text.CLIENT_ERASE_TITLE, text.ERASE_NOT_ALLOWED)
    erased = erasure.erase(deps, team_id, client.id, user_id) if client else None
    if client is None or erased is None:
        return done_view(text.CLIENT_ERASE_TITLE, text.CLIENT_GONE)
    return done_view(text.CLIENT_ERASE_DONE, text.client_erased(client, erased.touches))
