"""Build and send requests the way Slack sends them to an app's Request URL.

Pure helpers for tests, the demo and benchmarks: they produce the exact body shapes Slack
posts (slash commands, interactivity payloads, Events API envelopes), sign them with the
app's signing secret (``v0=HMAC-SHA256("v0:{ts}:{body}")``), and POST them with urllib, so
the real Bolt web app can be driven over HTTP::

    body = slash_command_body(command="/touchbase", text="help", user_id="U0ALICE",
                              team_id="T0TOUCH", response_url=standin.response_url("help"))
    status, raw = post(f"{app_url}/slack/events", body, SIGNING_SECRET)
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "API_APP_ID",
    "TEAM_DOMAIN",
    "VERIFICATION_TOKEN",
    "block_actions_body",
    "block_suggestion_body",
    "event_callback_body",
    "message_action_body",
    "post",
    "sign",
    "slash_command_body",
    "url_verification_body",
    "view_submission_body",
]

#: The deprecated verification token Slack still puts in every payload (Bolt ignores it).
VERIFICATION_TOKEN = "touchbaseVerificationToken"
API_APP_ID = "A0TOUCH"
TEAM_DOMAIN = "touchbase-demo"
BOT_USER_ID = "U0TOUCHBOT"

_counter = itertools.count(1)


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _username(user_id: str) -> str:
    return user_id.lower().removeprefix("u0").removeprefix("u") or user_id.lower()


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = _username(user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _channel_name(channel_id: str) -> str:
    if channel_id.startswith("D"):
        return "directmessage"
    if channel_id == "C0GENERAL":
        return "general"
    return channel_id.lower()


def _payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def sign(secret: str, body: str, timestamp: int) -> dict[str, str]:
    """The headers Slack sends with ``body``: timestamp, ``v0=`` signature and content type."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    content_type = (
        "application/json" if body.lstrip().startswith("{") else "application/x-www-form-urlencoded"
    )
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


def slash_command_body(
    *,
    command: str,
    text: str,
    user_id: str,
    team_id: str,
    channel_id: str = "C0GENERAL",
    response_url: str,
    trigger_id: str = "trig.1",
    user_name: str | None = None,
    channel_name: str | None = None,
    enterprise_id: str | None = None,
) -> str:
    """A slash command invocation, form-encoded like Slack's; from a workspace of an Enterprise
    Grid organization that installed the app org-wide when `enterprise_id` is given."""
    org = {"enterprise_id": enterprise_id} if enterprise_id else {}
    return urlencode(
        org
        | {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name or _channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name or _username(user_id),
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "true" if enterprise_id else "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def _action(action: dict[str, Any]) -> dict[str, Any]:
    """Fill in what Slack always sends with an action; the caller's keys win."""
    kind = action.get("type", "button")
    filled: dict[str, Any] = {
        "type": kind,
        "action_id": action.get("action_id", "action"),
        "block_id": action.get("block_id", "block"),
        "action_ts": _action_ts(),
    }
    if kind == "button":
        filled["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
    filled.update(action)
    return filled


def _view(
    *,
    view_id: str,
    team_id: str,
    callback_id: str,
    state_values: dict[str, Any] | None = None,
    private_metadata: str = "",
    view_type: str = "modal",
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": view_id,
        "team_id": team_id,
        "type": view_type,
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values or {}},
        "hash": f"{int(time.time())}.abcd{next(_counter):04d}",
        "title": {"type": "plain_text", "text": "Touchbase", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Save", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "B0TOUCHBOT",
    }


def block_actions_body(
    *,
    user_id: str,
    team_id: str,
    actions: list[dict[str, Any]],
    response_url: str | None = None,
    trigger_id: str = "trig.1",
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    channel_id: str | None = None,
) -> str:
    """A ``block_actions`` payload: a click in a message (give ``message``/``channel_id``)
    or in a view (give ``view``, e.g. ``{"id": "V1", "callback_id": "..."}``).

    Each action needs at least ``action_id``; ``type`` (default ``button``), ``block_id``,
    ``action_ts`` and button ``text`` are filled in.
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        full_view = _view(
            view_id=str(view.get("id", "V1")),
            team_id=team_id,
            callback_id=str(view.get("callback_id", "")),
        )
        full_view.update(view)
        payload["container"] = container or {
            "type": "view",
            "view_id": full_view["id"],
        }
        payload["view"] = full_view
    else:
        chan = channel_id or (container or {}).get("channel_id") or "C0GENERAL"
        msg = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": "1700000000.000100",
            "bot_id": "B0TOUCHBOT",
            "app_id": API_APP_ID,
            "text": "",
            "team": team_id,
            "blocks": [],
        }
        msg.update(message or {})
        payload["container"] = container or {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": chan,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": chan, "name": _channel_name(chan)}
        payload["message"] = msg
        payload["state"] = {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = [_action(a) for a in actions]
    return _payload_body(payload)


def view_submission_body(
    *,
    user_id: str,
    team_id: str,
    callback_id: str,
    state_values: dict[str, Any],
    private_metadata: str = "",
    view_id: str = "V1",
    response_urls: list[dict[str, str]] | None = None,
) -> str:
    """A ``view_submission`` payload.  ``state_values`` is ``view.state.values``:
    ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``."""
    payload = {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": f"trig.submit.{next(_counter)}",
        "view": _view(
            view_id=view_id,
            team_id=team_id,
            callback_id=callback_id,
            state_values=state_values,
            private_metadata=private_metadata,
        ),
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload_body(payload)


def block_suggestion_body(
    *,
    user_id: str,
    team_id: str,
    action_id: str,
    block_id: str,
    value: str,
    view_callback_id: str,
    view_id: str = "V1",
) -> str:
    """A ``block_suggestion`` payload (an ``external_select`` in a modal asking for options)."""
    payload = {
        "type": "block_suggestion",
        "user": _user(user_id, team_id),
        "container": {"type": "view", "view_id": view_id},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "view": _view(view_id=view_id, team_id=team_id, callback_id=view_callback_id),
    }
    return _payload_body(payload)


def message_action_body(
    *,
    user_id: str,
    team_id: str,
    callback_id: str,
    message_text: str,
    channel_id: str = "C0GENERAL",
    trigger_id: str = "trig.1",
    response_url: str = "https://hooks.slack.com/app/T0TOUCH/1/standin",
    message_user: str = "U0SOMEONE",
    message_ts: str = "1700000000.000200",
) -> str:
    """A ``message_action`` payload (a message shortcut)."""
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _action_ts(),
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "channel": {"id": channel_id, "name": _channel_name(channel_id)},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "message_ts": message_ts,
        "message": {
            "type": "message",
            "user": message_user,
            "ts": message_ts,
            "text": message_text,
            "team": team_id,
        },
        "api_app_id": API_APP_ID,
    }
    return _payload_body(payload)


def event_callback_body(
    *,
    team_id: str,
    event: dict[str, Any],
    api_app_id: str = API_APP_ID,
    event_id: str | None = None,
    bot_user_id: str = BOT_USER_ID,
    enterprise_id: str | None = None,
) -> str:
    """An Events API ``event_callback`` envelope around ``event`` (``event_ts`` filled in); for
    an org-wide install in Enterprise Grid organization `enterprise_id` when it is given."""
    now = time.time()
    inner = dict(event)
    inner.setdefault("event_ts", f"{now:.6f}")
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id or f"Ev{int(now)}{next(_counter):06d}",
        "event_time": int(now),
        "authed_users": [bot_user_id],
        "authorizations": [
            {
                "enterprise_id": enterprise_id,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": enterprise_id is not None,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{team_id}-{next(_counter)}",
    }
    return json.dumps(envelope, separators=(",", ":"))


def url_verification_body(challenge: str) -> str:
    """The handshake Slack sends when the Request URL is configured."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )


def post(
    url: str,
    body: str,
    secret: str,
    *,
    timestamp: int | None = None,
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """POST ``body`` to ``url`` signed with ``secret``; ``(status, body)`` even for 4xx/5xx."""
    ts = int(time.time()) if timestamp is None else timestamp
    headers = sign(secret, body, ts)
    headers["User-Agent"] = "Slackbot 1.0 (+https://api.slack.com/robots)"
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return int(exc.code), bytes(exc.read())
