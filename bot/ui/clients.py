"""Looking after clients in Slack: the client view, the add-client form and reading both, and
the log-touch form's client picker."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.core.dates import next_renewal
from bot.core.matching import rank_clients
from bot.core.model import MAX_NAME, Client, Tier, Touch
from bot.core.user_text import clean_line, name_fits
from bot.ui import text
from bot.ui.blocks import FormErrors, section, sections
from bot.ui.ids import (
    ADD_CLIENT_VIEW,
    ALIASES,
    ARCHIVE,
    CLIENT_VIEW,
    ERASE,
    NAME,
    OWNER,
    RENEWAL,
    SINCE,
    TIER,
)
from bot.ui.modals import MAX_OPTION_TEXT, client_option

NO_TIER = "none"
# Touches shown in the client view: recent history, well inside a section's 3000 characters.
HISTORY = 10
# Slack's limit for an external select's options.
MAX_OPTIONS = 100


# The client view: the history, and the form to change the client


def client_view(
    client: Client,
    touches: Sequence[Touch],
    names: Mapping[str, str],
    *,
    today: dt.date,
    tz: dt.tzinfo,
    editable: bool,
    hidden: Collection[int] = frozenset(),
    erasable: bool = False,
) -> dict[str, Any]:
    """The client's facts and recent touches; for its owner or an admin, the form to change it,
    and for an admin (`erasable`) a button to erase it.

    `names` maps the user IDs of the owner and of the reps in `touches` to display names;
    `hidden` holds the touches whose note the reader may not read (bot.core.privacy).
    """
    owner_name = names.get(client.owner_id or "")
    renewal = next_renewal(client.renewal_date, today) if client.renewal_date else None
    summary = text.client_summary(client, touches, owner_name, renewal, today, names, tz, hidden)
    blocks: list[Block] = [*sections(summary)]
    if not editable:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=text.not_allowed(client, owner_name))])
        )
        return _modal(CLIENT_VIEW, text.one_line(client.name, 24), blocks, client_id=client.id)
    blocks += [
        DividerBlock(),
        *_fields(
            client.owner_id, client.renewal_date, client.tier, client.aliases, client.client_since
        ),
    ]
    buttons = [
        ButtonElement(
            text=text.CLIENT_ARCHIVE,
            action_id=ARCHIVE,
            value=str(client.id),
            style="danger",
            confirm=ConfirmObject(
                title=text.CLIENT_ARCHIVE_TITLE,
                text=MarkdownTextObject(text=text.archive_confirm(client)),
                confirm=text.CLIENT_ARCHIVE_YES,
                deny=text.CLIENT_ARCHIVE_NO,
            ),
        )
    ]
    if erasable:
        buttons.append(
            ButtonElement(
                text=text.CLIENT_ERASE,
                action_id=ERASE,
                value=str(client.id),
                style="danger",
                confirm=ConfirmObject(
                    title=text.CLIENT_ERASE_TITLE,
                    text=MarkdownTextObject(text=text.erase_confirm(client)),
                    confirm=text.CLIENT_ERASE_YES,
                    deny=text.CLIENT_ERASE_NO,
                    style="danger",
                ),
            )
        )
    blocks.append(ActionsBlock(elements=buttons))
    return _modal(
        CLIENT_VIEW,
        text.one_line(client.name, 24),
        blocks,
        client_id=client.id,
        submit=text.CLIENT_SAVE,
    )


def add_client_view(owner_id: str) -> dict[str, Any]:
    """The add-client form; the rep who opens it is the owner unless they choose someone."""
    name = InputBlock(
        block_id=NAME,
        label=text.CLIENT_NAME,
        element=PlainTextInputElement(action_id=NAME, max_length=MAX_NAME),
    )
    blocks: list[Block] = [name, *_fields(owner_id, None, None, (), None)]
    return _modal(ADD_CLIENT_VIEW, text.ADD_TITLE, blocks, submit=text.ADD_SUBMIT)


def done_view(title: str, words: str) -> dict[str, Any]:
    """A form's last screen: what happened, and a button to close it."""
    return _modal(CLIENT_VIEW, text.one_line(title, 24), [section(words)], close=text.DONE)


def _fields(
    owner_id: str | None,
    renewal: dt.date | None,
    tier: Tier | None,
    aliases: Sequence[str],
    since: dt.date | None,
) -> list[Block]:
    tiers = [Option(value=t.value, label=t.value) for t in Tier]
    tiers.append(Option(value=NO_TIER, label=text.CLIENT_NO_TIER))
    current = tier.value if tier else NO_TIER
    return [
        InputBlock(
            block_id=OWNER,
            label=text.CLIENT_OWNER,
            hint=text.CLIENT_OWNER_HINT,
            optional=True,
            element=UserSelectElement(action_id=OWNER, initial_user=owner_id),
        ),
        InputBlock(
            block_id=RENEWAL,
            label=text.CLIENT_RENEWAL,
            optional=True,
            element=DatePickerElement(
                action_id=RENEWAL, initial_date=renewal.isoformat() if renewal else None
            ),
        ),
        InputBlock(
            block_id=TIER,
            label=text.CLIENT_TIER,
            optional=True,
            element=RadioButtonsElement(
                action_id=TIER,
                options=tiers,
                initial_option=next(o for o in tiers if o.value == current),
            ),
        ),
        InputBlock(
            block_id=ALIASES,
            label=text.CLIENT_ALIASES,
            hint=text.CLIENT_ALIASES_HINT,
            optional=True,
            element=PlainTextInputElement(
                action_id=ALIASES, initial_value=", ".join(aliases) or None, max_length=2000
            ),
        ),
        InputBlock(
            block_id=SINCE,
            label=text.CLIENT_SINCE,
            hint=text.CLIENT_SINCE_HINT,
            optional=True,
            element=DatePickerElement(
                action_id=SINCE, initial_date=since.isoformat() if since else None
            ),
        ),
    ]


def _modal(
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    *,
    client_id: int | None = None,
    submit: str | None = None,
    close: str = text.CLIENT_CLOSE,
) -> dict[str, Any]:
    metadata = json.dumps({"client_id": client_id}) if client_id is not None else ""
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close=close,
        private_metadata=metadata,
        blocks=list(blocks),
    )
    return view.to_dict()


# Reading the forms


@dataclass(frozen=True)
class ClientFields:
    """What the client form sets: everything but the name, which stays as it is."""

    owner_id: str | None
    renewal_date: dt.date | None
    tier: Tier | None
    aliases: tuple[str, ...]
    client_since: dt.date | None = None


@dataclass(frozen=True)
class ClientEdit:
    client_id: int
    fields: ClientFields


@dataclass(frozen=True)
class ClientAdd:
    name: str
    fields: ClientFields


def _fields_from(state: Mapping[str, Any]) -> ClientFields | FormErrors:
    def value(block: str) -> Mapping[str, Any]:
        return state.get(block, {}).get(block, {}) or {}

    raw = value(ALIASES).get("value") or ""
    # Commas or semicolons (the CSV's separator) between names; each kept once, in order.
    spaced = (clean_line(part) for part in re.split(r"[,;\n]", raw))
    aliases = tuple(dict.fromkeys(alias for alias in spaced if alias))
    if not all(name_fits(a) for a in aliases):
        return FormErrors({ALIASES: text.CLIENT_ALIAS_TOO_LONG})
    tier_raw = str((value(TIER).get("selected_option") or {}).get("value") or "")

    def day(block: str) -> dt.date | None:
        raw = value(block).get("selected_date")
        try:
            return dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    return ClientFields(
        owner_id=value(OWNER).get("selected_user") or None,
        renewal_date=day(RENEWAL),
        tier=Tier(tier_raw) if tier_raw in Tier.__members__ else None,
        aliases=aliases,
        client_since=day(SINCE),
    )


def read_client_form(
    state: Mapping[str, Any], private_metadata: str
) -> ClientEdit | FormErrors | None:
    """The changes to a client, or inline errors; None when the metadata isn't ours."""
    try:
        client_id = int(json.loads(private_metadata)["client_id"])
    except (ValueError, KeyError, TypeError):
        return None
    fields = _fields_from(state)
    if isinstance(fields, FormErrors):
        return fields
    return ClientEdit(client_id, fields)


def read_add_form(state: Mapping[str, Any]) -> ClientAdd | FormErrors:
    name = clean_line(str((state.get(NAME, {}).get(NAME) or {}).get("value") or ""))
    fields = _fields_from(state)
    errors = dict(fields.errors) if isinstance(fields, FormErrors) else {}
    if not name:
        errors = {NAME: text.CLIENT_NAME_EMPTY, **errors}
    elif not name_fits(name):
        errors = {NAME: text.NAME_TOO_LONG, **errors}
    if errors or isinstance(fields, FormErrors):
        return FormErrors(errors)
    return ClientAdd(name, fields)


# The log-touch form's client picker


def client_options(query: str, clients: Sequence[Client]) -> list[dict[str, Any]]:
    """At most 100 options for the picker, best first (bot.core.matching.rank_clients).

    An option found by an alias says so.
    """
    options = []
    for client, name in rank_clients(query, clients)[:MAX_OPTIONS]:
        option = client_option(client.id, client.name)
        if name != client.name:
            option = Option(
                value=option.value,
                label=text.one_line(client.name, MAX_OPTION_TEXT),
                description=text.one_line(text.also_called(name), MAX_OPTION_TEXT),
            )
        options.append(option.to_dict())
    return options
