"""A local stand-in for the Slack Web API, served over real HTTP.

Bot code talks to it exactly as it talks to Slack, through
``slack_sdk.WebClient(base_url=standin.api_url, token="xoxb-...")``.  The stand-in checks every
call against Slack's own method catalogue (``slack_methods.json``), enforces tokens, required
parameters and Block Kit limits, keeps a small workspace (users, channels, DMs, messages,
views), records every call, and can inject faults (scripted or random, or an answer that
comes after the client stopped waiting) for retry tests and benchmarks::

    with SlackStandIn() as slack:
        slack.add_user("U0ALICE", name="alice", tz="Europe/Paris")
        client = WebClient(base_url=slack.api_url, token="xoxb-test")
        client.chat_postMessage(channel="U0ALICE", text="hi")
        assert slack.dm_messages("U0ALICE")[0]["text"] == "hi"

It is thread-safe (one lock around all shared state) and answers from a
``ThreadingHTTPServer`` running in a daemon thread.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import json
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.devtools.slack_spec import MethodSpec, load_methods

__all__ = [
    "Call",
    "SlackStandIn",
    "Surface",
    "block_kit_problems",
    "view_problems",
]

Surface = Literal["message", "modal", "home"]
JSON = dict[str, Any]
_T = TypeVar("_T")

# --------------------------------------------------------------------------------------------
# Block Kit limits (https://api.slack.com/reference/block-kit), checked the way Slack does.
# Problems read like Slack's: "[ERROR] must be less than 3001 characters
# [json-pointer:/blocks/0/text/text]".
# --------------------------------------------------------------------------------------------

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000

_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
        "call",
    }
)
_OPTION_ELEMENTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "overflow",
        "checkboxes",
        "radio_buttons",
    }
)
_SELECT_ELEMENTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
_PLACEHOLDER_ELEMENTS = _SELECT_ELEMENTS | {
    "plain_text_input",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "email_text_input",
    "url_text_input",
    "number_input",
}
_INTERACTIVE_ELEMENTS = (
    _PLACEHOLDER_ELEMENTS
    | _OPTION_ELEMENTS
    | {
        "button",
        "image",
        "file_input",
        "rich_text_input",
        "workflow_button",
    }
)


def _problem(out: list[str], pointer: str, message: str) -> None:
    out.append(f"[ERROR] {message} [json-pointer:{pointer}]")


def _check_len(out: list[str], pointer: str, value: Any, max_len: int, *, min_len: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        _problem(out, pointer, "must be a string")
        return
    if len(value) > max_len:
        _problem(out, pointer, f"must be less than {max_len + 1} characters")
    elif len(value) < min_len:
        _problem(out, pointer, f"must be at least {min_len} character{'s' * (min_len > 1)}")


def _check_text(
    out: list[str],
    pointer: str,
    obj: Any,
    max_len: int,
    *,
    plain_only: bool = False,
    required: bool = True,
) -> None:
    if obj is None:
        if required:
            _problem(out, pointer, "missing required field")
        return
    if not isinstance(obj, dict):
        _problem(out, pointer, "must be a text object")
        return
    kind = obj.get("type")
    if plain_only and kind != "plain_text":
        _problem(out, f"{pointer}/type", "must be plain_text")
    elif kind not in ("plain_text", "mrkdwn"):
        _problem(out, f"{pointer}/type", "must be one of plain_text, mrkdwn")
    text = obj.get("text")
    if not isinstance(text, str):
        _problem(out, f"{pointer}/text", "missing required field: text")
        return
    _check_len(out, f"{pointer}/text", text, max_len, min_len=1)


def _check_options(
    out: list[str], pointer: str, options: Any, max_items: int, *, min_items: int = 1
) -> None:
    if not isinstance(options, list):
        _problem(out, pointer, "must be an array")
        return
    if len(options) > max_items:
        _problem(out, pointer, f"must provide no more than {max_items} items")
    elif len(options) < min_items:
        _problem(out, pointer, f"must provide at least {min_items} item{'s' * (min_items > 1)}")
    for i, opt in enumerate(options):
        p = f"{pointer}/{i}"
        if not isinstance(opt, dict):
            _problem(out, p, "must be an option object")
            continue
        _check_text(out, f"{p}/text", opt.get("text"), 75)
        if "value" in opt:
            _check_len(out, f"{p}/value", opt["value"], 150)
        _check_text(out, f"{p}/description", opt.get("description"), 75, required=False)
        _check_len(out, f"{p}/url", opt.get("url"), 3000)


def _check_confirm(out: list[str], pointer: str, confirm: Any) -> None:
    if confirm is None:
        return
    if not isinstance(confirm, dict):
        _problem(out, pointer, "must be a confirmation dialog object")
        return
    _check_text(out, f"{pointer}/title", confirm.get("title"), 100, plain_only=True)
    _check_text(out, f"{pointer}/text", confirm.get("text"), 300)
    _check_text(out, f"{pointer}/confirm", confirm.get("confirm"), 30, plain_only=True)
    _check_text(out, f"{pointer}/deny", confirm.get("deny"), 30, plain_only=True)


def _check_element(out: list[str], pointer: str, el: Any, action_ids: set[str]) -> None:
    if not isinstance(el, dict) or not isinstance(el.get("type"), str):
        _problem(out, pointer, "must be a block element object with a type")
        return
    kind = el["type"]
    if kind not in _INTERACTIVE_ELEMENTS:
        _problem(out, f"{pointer}/type", f"unsupported element type: {kind}")
        return
    action_id = el.get("action_id")
    if action_id is not None:
        _check_len(out, f"{pointer}/action_id", action_id, 255, min_len=1)
        if isinstance(action_id, str):
            if action_id in action_ids:
                _problem(out, f"{pointer}/action_id", f"duplicate action_id: {action_id}")
            action_ids.add(action_id)
    _check_confirm(out, f"{pointer}/confirm", el.get("confirm"))
    if kind == "button":
        _check_text(out, f"{pointer}/text", el.get("text"), 75, plain_only=True)
        _check_len(out, f"{pointer}/value", el.get("value"), 2000)
        _check_len(out, f"{pointer}/url", el.get("url"), 3000)
        _check_len(out, f"{pointer}/accessibility_label", el.get("accessibility_label"), 75)
        style = el.get("style")
        if style is not None and style not in ("primary", "danger"):
            _problem(out, f"{pointer}/style", "must be one of primary, danger")
    elif kind == "image":
        if not el.get("image_url") and not el.get("slack_file"):
            _problem(out, f"{pointer}/image_url", "missing required field: image_url")
        _check_len(out, f"{pointer}/alt_text", el.get("alt_text"), 2000, min_len=1)
        if el.get("alt_text") is None:
            _problem(out, f"{pointer}/alt_text", "missing required field: alt_text")
    if kind in _PLACEHOLDER_ELEMENTS:
        _check_text(out, f"{pointer}/placeholder", el.get("placeholder"), 150, required=False)
    if kind in ("static_select", "multi_static_select"):
        if "options" in el:
            _check_options(out, f"{pointer}/options", el["options"], 100)
        elif "option_groups" in el:
            groups = el["option_groups"]
            if not isinstance(groups, list) or len(groups) > 100:
                _problem(out, f"{pointer}/option_groups", "must provide no more than 100 items")
            else:
                for g, group in enumerate(groups):
                    gp = f"{pointer}/option_groups/{g}"
                    if not isinstance(group, dict):
                        _problem(out, gp, "must be an option group object")
                        continue
                    _check_text(out, f"{gp}/label", group.get("label"), 75, plain_only=True)
                    _check_options(out, f"{gp}/options", group.get("options"), 100)
        else:
            _problem(out, f"{pointer}/options", "must provide either options or option_groups")
    elif kind == "overflow":
        _check_options(out, f"{pointer}/options", el.get("options"), 5)
    elif kind in ("checkboxes", "radio_buttons"):
        _check_options(out, f"{pointer}/options", el.get("options"), 10)
    elif kind == "plain_text_input":
        for key in ("min_length", "max_length"):
            v = el.get(key)
            if v is not None and (not isinstance(v, int) or not 0 <= v <= 3000):
                _problem(out, f"{pointer}/{key}", "must be an integer between 0 and 3000")


def _check_block(
    out: list[str],
    pointer: str,
    block: Any,
    block_ids: set[str],
    surface: str,
) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        _problem(out, pointer, "must be a block object with a type")
        return
    kind = block["type"]
    if kind not in _BLOCK_TYPES:
        _problem(out, f"{pointer}/type", f"unsupported block type: {kind}")
        return
    block_id = block.get("block_id")
    if block_id is not None:
        _check_len(out, f"{pointer}/block_id", block_id, 255, min_len=1)
        if isinstance(block_id, str):
            if block_id in block_ids:
                _problem(out, f"{pointer}/block_id", f"duplicate block_id: {block_id}")
            block_ids.add(block_id)
    action_ids: set[str] = set()
    if kind == "section":
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            _problem(out, pointer, "must provide either text or fields")
        _check_text(out, f"{pointer}/text", text, 3000, required=False)
        if fields is not None:
            if not isinstance(fields, list):
                _problem(out, f"{pointer}/fields", "must be an array")
            else:
                if len(fields) > 10:
                    _problem(out, f"{pointer}/fields", "must provide no more than 10 items")
                for i, f in enumerate(fields):
                    _check_text(out, f"{pointer}/fields/{i}", f, 2000)
        if block.get("accessory") is not None:
            _check_element(out, f"{pointer}/accessory", block["accessory"], action_ids)
    elif kind == "header":
        _check_text(out, f"{pointer}/text", block.get("text"), 150, plain_only=True)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            _problem(out, f"{pointer}/elements", "must provide at least 1 item")
        else:
            if len(elements) > 25:
                _problem(out, f"{pointer}/elements", "must provide no more than 25 items")
            for i, el in enumerate(elements):
                _check_element(out, f"{pointer}/elements/{i}", el, action_ids)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            _problem(out, f"{pointer}/elements", "must provide at least 1 item")
        else:
            if len(elements) > 10:
                _problem(out, f"{pointer}/elements", "must provide no more than 10 items")
            for i, el in enumerate(elements):
                p = f"{pointer}/elements/{i}"
                if isinstance(el, dict) and el.get("type") == "image":
                    _check_element(out, p, el, action_ids)
                else:
                    _check_text(out, p, el, 3000)
    elif kind == "input":
        _check_text(out, f"{pointer}/label", block.get("label"), 2000, plain_only=True)
        _check_text(out, f"{pointer}/hint", block.get("hint"), 2000, required=False)
        if block.get("element") is None:
            _problem(out, f"{pointer}/element", "missing required field: element")
        else:
            _check_element(out, f"{pointer}/element", block["element"], action_ids)
    elif kind == "image":
        if not block.get("image_url") and not block.get("slack_file"):
            _problem(out, f"{pointer}/image_url", "missing required field: image_url")
        _check_len(out, f"{pointer}/image_url", block.get("image_url"), 3000)
        if block.get("alt_text") is None:
            _problem(out, f"{pointer}/alt_text", "missing required field: alt_text")
        _check_len(out, f"{pointer}/alt_text", block.get("alt_text"), 2000, min_len=1)
        _check_text(out, f"{pointer}/title", block.get("title"), 2000, required=False)
    elif kind == "markdown":
        _check_len(out, f"{pointer}/text", block.get("text"), 12000, min_len=1)
    elif kind == "file" and surface != "message":
        _problem(out, f"{pointer}/type", "file blocks are only supported in messages")


def block_kit_problems(blocks: list[dict[str, Any]], *, surface: Surface) -> list[str]:
    """Every Block Kit limit ``blocks`` breaks on ``surface``; ``[]`` means Slack would accept it.

    Checked: number of blocks (message 50, modal/home 100), unique ``block_id`` (<= 255),
    section text (<= 3000) and fields (<= 10, each <= 2000), header text (<= 150, plain_text),
    actions (<= 25 elements), context (<= 10 elements), buttons (text <= 75, value <= 2000,
    url <= 3000), ``action_id`` (<= 255, unique within a block), option text (<= 75) and value
    (<= 150), option counts (select 100, overflow 5, checkboxes/radio 10), placeholders
    (<= 150), input labels/hints (<= 2000), image alt text, and known block/element types.
    """
    return _blocks_problems(blocks, surface=surface, base="/blocks")


def _blocks_problems(blocks: Any, *, surface: str, base: str) -> list[str]:
    out: list[str] = []
    if not isinstance(blocks, list):
        _problem(out, base, "must be an array")
        return out
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        _problem(out, base, f"must provide no more than {limit} items")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        _check_block(out, f"{base}/{i}", block, block_ids, surface)
    return out


def view_problems(view: Any, *, expected_type: Surface | None = None) -> list[str]:
    """Problems with a modal or Home tab ``view`` payload (its blocks included)."""
    out: list[str] = []
    if not isinstance(view, dict):
        _problem(out, "/view", "must be a view object")
        return out
    kind = view.get("type")
    if kind not in ("modal", "home"):
        _problem(out, "/view/type", "must be one of modal, home")
        return out
    if expected_type is not None and kind != expected_type:
        _problem(out, "/view/type", f"must be {expected_type}")
    if kind == "modal":
        _check_text(out, "/view/title", view.get("title"), 24, plain_only=True)
        _check_text(out, "/view/submit", view.get("submit"), 24, plain_only=True, required=False)
        _check_text(out, "/view/close", view.get("close"), 24, plain_only=True, required=False)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            _problem(out, "/view/submit", "must provide submit when the view has input blocks")
    _check_len(out, "/view/callback_id", view.get("callback_id"), 255)
    _check_len(out, "/view/private_metadata", view.get("private_metadata"), 3000)
    _check_len(out, "/view/external_id", view.get("external_id"), 255)
    if "blocks" not in view:
        _problem(out, "/view/blocks", "missing required field: blocks")
    else:
        out += _blocks_problems(view["blocks"], surface=kind, base="/view/blocks")
    return out


# --------------------------------------------------------------------------------------------
# Workspace model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request to ``/api/<method>``, as the stand-in saw it."""

    method: str
    #: Query string, form body and JSON body merged (JSON wins, then form); ``token`` removed;
    #: JSON-encoded string fields (``blocks``, ``view``, ``attachments``...) decoded.
    params: dict[str, Any]
    token: str | None
    at: float
    #: HTTP status and Slack ``error`` of the answer (``None`` when ``ok`` was true).
    status: int = 200
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str
    email: str | None
    is_admin: bool
    deleted: bool
    is_bot: bool = False
    bot_id: str | None = None
    updated: int = 1_700_000_000


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = False
    members: set[str] = field(default_factory=set)
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    is_archived: bool = False
    created: int = 1_700_000_000


@dataclass(frozen=True)
class _Fault:
    error: str | None
    status: int
    retry_after: int | None


class _SlackError(Exception):
    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


_Answer = tuple[int, dict[str, str], JSON]

_JSON_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "metadata",
        "option_groups",
        "options",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)

_TZ_LABELS = {
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "UTC": "Coordinated Universal Time",
    "BST": "British Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "MSK": "Moscow Time",
    "IST": "India Standard Time",
    "PKT": "Pakistan Standard Time",
    "WIB": "Western Indonesia Time",
    "HKT": "Hong Kong Time",
    "JST": "Japan Standard Time",
    "KST": "Korea Standard Time",
    "AWST": "Australian Western Standard Time",
    "ACST": "Australian Central Standard Time",
    "ACDT": "Australian Central Daylight Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
    "SAST": "South Africa Standard Time",
}


def _tz_now(tz: str) -> tuple[str, int]:
    """(tz_label, tz_offset in seconds) of ``tz`` right now, the way users.info reports them."""
    now = datetime.now(ZoneInfo(tz))
    delta = now.utcoffset()
    offset = int(delta.total_seconds()) if delta is not None else 0
    abbr = now.tzname() or ""
    if tz == "Europe/Dublin" and abbr == "IST":
        return "Irish Standard Time", offset
    label = _TZ_LABELS.get(abbr)
    if label is None:
        sign = "+" if offset >= 0 else "-"
        hours, minutes = divmod(abs(offset) // 60, 60)
        label = f"UTC{sign}{hours:02d}:{minutes:02d}"
    return label, offset


def _take_next(queues: dict[str, deque[_T]], *keys: str) -> _T | None:
    """The next scripted entry for the first of ``keys`` that has one."""
    for key in keys:
        queue = queues.get(key)
        if queue:
            return queue.popleft()
    return None


def _fault_key(method: str, team: str | None) -> str:
    """Where a fault waits: for every workspace, or for one workspace's calls only."""
    return method if team is None else f"{team}/{method}"


def _truthy(value: Any) -> bool:
    return value is True or value in (1, "1", "true", "True", "TRUE")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "workspace"


def _decode_json_fields(params: dict[str, Any]) -> None:
    for key in _JSON_FIELDS & params.keys():
        value = params[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # left as a string when malformed: the method then reports it
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Form, multipart or JSON body -> dict.  Raises _SlackError like Slack would."""
    if not body:
        return {}
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _SlackError("invalid_json") from exc
        if not isinstance(data, dict):
            raise _SlackError("json_not_object")
        return data
    if mime == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        msg = BytesParser(policy=HTTP).parsebytes(head + body)
        if not isinstance(msg, EmailMessage):
            return {}
        out: dict[str, Any] = {}
        for part in msg.iter_parts() if msg.is_multipart() else ():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            raw = part.get_payload(decode=True)
            if part.get_filename():
                out[name] = raw
            elif isinstance(raw, bytes):
                out[name] = raw.decode("utf-8", errors="replace")
        return out
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _SlackError("invalid_charset") from exc
    return dict(parse_qsl(text, keep_blank_values=True))


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], standin: SlackStandIn) -> None:
        self.standin = standin
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY keep-alive clients
    # stall ~40 ms per request on Nagle + delayed ACK.
    disable_nagle_algorithm = True
    server: _Server
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the stand-in records calls instead of logging them."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(400, {}, {"ok": False, "error": "invalid_form_data"})
            return
        status, headers, payload = self.server.standin._dispatch(
            self.command, self.path, self.headers, body
        )
        try:
            self._send(status, headers, payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client stopped waiting for a late answer (slow_next): nobody to tell.
            self.close_connection = True

    def _send(self, status: int, headers: Mapping[str, str], payload: JSON) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


# --------------------------------------------------------------------------------------------
# The stand-in
# --------------------------------------------------------------------------------------------


class SlackStandIn:
    """A fake Slack workspace behind a real HTTP server on 127.0.0.1 (see module docstring)."""

    def __init__(
        self,
        *,
        team_id: str = "T0TOUCH",
        team_name: str = "Touchbase Demo",
        latency: float = 0.0,
        seed: int = 0,
        port: int = 0,
        bot_user_id: str = "U0TOUCHBOT",
        bot_id: str = "B0TOUCHBOT",
        bot_name: str = "touchbase",
        app_id: str = "A0TOUCH",
        scopes: Iterable[str] | None = None,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = _slug(team_name)
        self.latency = latency
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        #: Granted scopes; ``None`` grants every scope.  Otherwise calls to a method whose
        #: scopes are all missing fail with ``missing_scope`` like real Slack.
        self.scopes: frozenset[str] | None = None if scopes is None else frozenset(scopes)
        self._port = port
        self._seed = seed
        self._methods: dict[str, MethodSpec] = load_methods()
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._rng = random.Random(seed)
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._dm_by_user: dict[str, str] = {}
        self._calls: list[Call] = []
        self._responses: list[tuple[str, JSON]] = []
        self._rejected_responses: list[tuple[str, JSON, list[str]]] = []
        self._response_keys: dict[str, str] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._rate_limited = 0.0
        self._server_error = 0.0
        self._random_retry_after = 1
        self._messages: dict[str, list[JSON]] = {}
        self._ephemeral: dict[str, list[JSON]] = {}
        self._views: dict[str, JSON] = {}
        self._external_ids: dict[str, str] = {}
        self._home: dict[str, str] = {}
        self._ts = 1_700_000_000_000_000
        self._view_seq = 0
        # OAuth installs (oauth.v2.access): which workspace, or organization for an org-wide
        # install (`_orgs`), each code, token and refresh token is for. A token not in
        # `_token_teams` is the default workspace's; a revoked one fails with invalid_auth.
        self._codes: dict[str, tuple[str, str]] = {}
        self._orgs: set[str] = set()
        self._token_teams: dict[str, str] = {}
        self._refresh_teams: dict[str, str] = {}
        self._revoked: set[str] = set()
        #: Seconds an issued token lives, with rotation on; ``None``: tokens never expire.
        self.token_lifetime: int | None = 43200
        self._handlers: dict[str, Callable[[JSON], JSON]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "team.info": self._team_info,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.info": self._conversations_info,
            "conversations.list": self._conversations_list,
            "conversations.members": self._conversations_members,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }
        self._users[bot_user_id] = _User(
            id=bot_user_id,
            name=bot_name,
            real_name=bot_name.title(),
            tz="America/Los_Angeles",
            email=None,
            is_admin=False,
            deleted=False,
            is_bot=True,
            bot_id=bot_id,
        )

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        """Start serving (idempotent); returns ``self``."""
        with self._lock:
            if self._server is not None:
                return self
            server = _Server(("127.0.0.1", self._port), self)
            self._server = server
            self._port = server.server_address[1]
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"slack-standin-{self._port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent).  Recorded state stays readable."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not running: call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``: pass as ``WebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "") -> str:
        """A fresh response_url on this server; JSON posted there lands in ``responses``.

        ``key`` names it in ``responses`` (defaults to the URL's own random token).
        """
        token = uuid.uuid4().hex
        with self._lock:
            self._response_keys[token] = key or token
        return f"{self.base_url}/respond/{token}"

    # ---- workspace setup ---------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str = "America/New_York",
        email: str | None = None,
        is_admin: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        """Add (or replace) a workspace member.  ``tz`` must be an IANA zone name."""
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        with self._lock:
            self._users[user_id] = _User(
                id=user_id,
                name=name,
                real_name=real_name if real_name is not None else name,
                tz=tz,
                email=email,
                is_admin=is_admin,
                deleted=deleted,
                is_bot=is_bot,
            )

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        is_private: bool = False,
        is_member: bool = False,
        members: Iterable[str] = (),
        is_archived: bool = False,
    ) -> None:
        """Add (or replace) a channel.  ``is_member``: whether the bot is in it."""
        with self._lock:
            ch = _Channel(
                id=channel_id,
                name=name,
                is_private=is_private,
                is_member=is_member,
                members=set(members),
                is_archived=is_archived,
            )
            if is_member:
                ch.members.add(self.bot_user_id)
            self._channels[channel_id] = ch

    def dm_channel_id(self, user_id: str) -> str:
        """The stable DM (``D...``) id the bot has with ``user_id``."""
        with self._lock:
            return self._dm_for(user_id).id

    # ---- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        team: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (``"*"``: any method) fail, in order;
        with ``team``, only the calls made with that workspace's tokens.

        ``status=429`` -> HTTP 429 with ``Retry-After`` (``retry_after``, default 1) and
        ``ratelimited``; ``status>=500`` -> that status and ``internal_error``; otherwise
        HTTP ``status`` with ``{"ok": false, "error": error}``.  Faulted calls have no effect.
        """
        if method != "*" and method not in self._methods:
            raise ValueError(f"{method!r} is not a Slack Web API method")
        if status == 200 and error is None:
            raise ValueError("give an error= (HTTP 200 failure) or a non-200 status")
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = _Fault(error=error, status=status, retry_after=retry_after)
        with self._lock:
            self._faults.setdefault(_fault_key(method, team), deque()).extend([fault] * times)

    def slow_next(self, method: str, *, seconds: float, times: int = 1) -> None:
        """Make the next ``times`` calls to ``method`` (``"*"``: any method) answer late.

        Each call takes effect at once, as usual (a message is posted and recorded), but its
        HTTP answer is held back ``seconds``: a client whose timeout is shorter never hears
        that Slack acted on its request.
        """
        if method != "*" and method not in self._methods:
            raise ValueError(f"{method!r} is not a Slack Web API method")
        if seconds <= 0:
            raise ValueError("seconds must be more than 0")
        with self._lock:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def set_fault_rates(
        self, *, rate_limited: float = 0.0, server_error: float = 0.0, retry_after: int = 1
    ) -> None:
        """Fail calls at random (seeded RNG): a share answered 429, a share answered 500."""
        if not (0 <= rate_limited <= 1 and 0 <= server_error <= 1) or (
            rate_limited + server_error > 1
        ):
            raise ValueError("rates must be between 0 and 1 and sum to at most 1")
        with self._lock:
            self._rate_limited = rate_limited
            self._server_error = server_error
            self._random_retry_after = retry_after

    def _take_fault(self, method: str, token: str | None) -> _Fault | None:
        team = self._token_teams.get(token or "", self.team_id)
        fault = _take_next(self._faults, _fault_key(method, team), _fault_key("*", team))
        fault = fault or _take_next(self._faults, method, "*")
        if fault is not None:
            return fault
        if self._rate_limited or self._server_error:
            r = self._rng.random()
            if r < self._rate_limited:
                return _Fault("ratelimited", 429, self._random_retry_after)
            if r < self._rate_limited + self._server_error:
                return _Fault("internal_error", 500, None)
        return None

    # ---- inspection --------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every API call so far, in the order they were answered (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    @property
    def not_implemented_calls(self) -> list[Call]:
        """Calls to real Slack methods the stand-in doesn't implement (should be empty)."""
        with self._lock:
            return [c for c in self._calls if c.error == "standin_not_implemented"]

    @property
    def responses(self) -> list[tuple[str, JSON]]:
        """``(key, payload)`` of every accepted POST to a response_url, in order (a copy)."""
        with self._lock:
            return copy.deepcopy(self._responses)

    @property
    def rejected_responses(self) -> list[tuple[str, JSON, list[str]]]:
        """response_url POSTs refused (bad JSON, invalid blocks): ``(key, payload, problems)``."""
        with self._lock:
            return copy.deepcopy(self._rejected_responses)

    def responses_to(self, key: str) -> list[JSON]:
        with self._lock:
            return [copy.deepcopy(p) for k, p in self._responses if k == key]

    def messages(self, channel_or_user: str) -> list[JSON]:
        """Messages the bot posted to a channel, a DM (``D...``) or a user's DM (``U...``).

        Each is a dict with at least ``text``, ``blocks``, ``channel`` and ``ts`` (a copy).
        """
        with self._lock:
            key = self._store_key(channel_or_user)
            return copy.deepcopy(self._messages.get(key, []) if key else [])

    def dm_messages(self, user_id: str) -> list[JSON]:
        """Messages in the bot's DM with ``user_id`` (posted by user id or by ``D`` id)."""
        return self.messages(user_id)

    def ephemeral_messages(self, channel_or_user: str) -> list[JSON]:
        """Ephemeral messages posted in a channel or DM (each has the target ``user``)."""
        with self._lock:
            key = self._store_key(channel_or_user)
            return copy.deepcopy(self._ephemeral.get(key, []) if key else [])

    def view(self, view_id: str) -> JSON | None:
        """The current state of an opened, pushed, updated or published view."""
        with self._lock:
            v = self._views.get(view_id)
            return copy.deepcopy(v) if v is not None else None

    @property
    def opened_views(self) -> list[JSON]:
        """Every modal opened or pushed so far, in its current state (a copy)."""
        with self._lock:
            return [copy.deepcopy(v) for v in self._views.values() if v["type"] == "modal"]

    def home_view(self, user_id: str) -> JSON | None:
        """The Home tab last published for ``user_id``."""
        with self._lock:
            view_id = self._home.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll ``predicate`` until true; AssertionError describing recent traffic on timeout."""
        deadline = time.monotonic() + timeout
        delay = 0.002
        while True:
            if predicate():
                return
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(predicate, timeout))
            time.sleep(delay)
            delay = min(delay * 2, 0.02)

    def _timeout_message(self, predicate: Callable[[], bool], timeout: float) -> str:
        try:
            what = inspect.getsource(predicate).strip()
        except (OSError, TypeError):
            what = getattr(predicate, "__qualname__", repr(predicate))
        with self._lock:
            calls = self._calls[-15:]
            n_calls = len(self._calls)
            responses = self._responses[-5:]
            rejected = self._rejected_responses[-5:]
        lines = [f"condition not met within {timeout}s: {what}", f"{n_calls} API call(s)"]
        lines += [
            f"  {c.method} -> {'ok' if c.ok else f'{c.status} {c.error}'} "
            f"{json.dumps(c.params, default=str)[:200]}"
            for c in calls
        ]
        lines.append(f"responses (last {len(responses)}):")
        lines += [f"  {k}: {json.dumps(p, default=str)[:200]}" for k, p in responses]
        if rejected:
            lines.append("rejected response_url posts:")
            lines += [f"  {k}: {problems}" for k, _, problems in rejected]
        return "\n".join(lines)

    def reset(self) -> None:
        """Forget calls, responses, faults, messages and views; keep users and channels."""
        with self._lock:
            self._calls.clear()
            self._responses.clear()
            self._rejected_responses.clear()
            self._faults.clear()
            self._delays.clear()
            self._rate_limited = self._server_error = 0.0
            self._rng = random.Random(self._seed)
            self._messages.clear()
            self._ephemeral.clear()
            self._views.clear()
            self._external_ids.clear()
            self._home.clear()
            self._codes.clear()
            self._orgs.clear()
            self._token_teams.clear()
            self._refresh_teams.clear()
            self._revoked.clear()
            self.token_lifetime = 43200

    # ---- OAuth installs ------------------------------------------------------------------------

    def authorize(self, team_id: str, team_name: str = "") -> str:
        """What Slack's authorize page does when an admin of `team_id` approves the install:
        a one-time code for oauth.v2.access."""
        code = f"code-{uuid.uuid4().hex}"
        with self._lock:
            self._codes[code] = (team_id, team_name or team_id)
        return code

    def authorize_org(self, enterprise_id: str, name: str = "") -> str:
        """What Slack's authorize page does when an admin of Enterprise Grid organization
        `enterprise_id` approves an org-wide install: a one-time code for oauth.v2.access, whose
        token belongs to the organization (tokens_of(enterprise_id)) and to no one workspace."""
        code = self.authorize(enterprise_id, name)
        with self._lock:
            self._orgs.add(enterprise_id)
        return code

    def revoke(self, team_id: str) -> None:
        """Every token issued to `team_id` stops working (an uninstall, tokens_revoked)."""
        with self._lock:
            self._revoked |= {t for t, team in self._token_teams.items() if team == team_id}
            self._refresh_teams = {r: t for r, t in self._refresh_teams.items() if t != team_id}

    def tokens_of(self, team_id: str) -> set[str]:
        with self._lock:
            return {t for t, team in self._token_teams.items() if team == team_id}

    def _grant(self, team_id: str) -> JSON:
        token = f"xoxe.xoxb-{team_id}-{uuid.uuid4().hex}"
        self._token_teams[token] = team_id
        grant: JSON = {"access_token": token, "token_type": "bot"}
        if self.token_lifetime is not None:
            refresh = f"xoxe-1-{uuid.uuid4().hex}"
            self._refresh_teams[refresh] = team_id
            grant |= {"refresh_token": refresh, "expires_in": self.token_lifetime}
        return grant

    def _oauth_v2_access(self, p: JSON) -> JSON:
        if p.get("grant_type") == "refresh_token":
            owner = self._refresh_teams.pop(p["refresh_token"], None)
            if owner is None:
                raise _SlackError("invalid_refresh_token")
            return {"ok": True, **self._owner(owner, owner), **self._grant(owner)}
        found = self._codes.pop(p["code"], None)
        if found is None:
            raise _SlackError("invalid_code")
        owner, name = found
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": ",".join(sorted(self.scopes or ())) or "chat:write",
            "bot_user_id": self.bot_user_id,
            **self._owner(owner, name),
            **self._grant(owner),
        }

    def _owner(self, owner: str, name: str) -> JSON:
        """Whom a grant is for: a workspace, or an organization with no workspace of its own."""
        if owner in self._orgs:
            org = {"id": owner, "name": name}
            return {"team": None, "enterprise": org, "is_enterprise_install": True}
        return {
            "team": {"id": owner, "name": name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ---- request dispatch --------------------------------------------------------------------

    def _dispatch(self, verb: str, raw_path: str, headers: Message, body: bytes) -> _Answer:
        parts = urlsplit(raw_path)
        path = parts.path
        try:
            if path.startswith("/api/"):
                return self._api(path[len("/api/") :], parts.query, headers, body)
            if path.startswith("/respond/"):
                return self._respond(path[len("/respond/") :], headers, body)
        except Exception as exc:  # never leave a client hanging; make the bug visible
            with self._lock:
                self._calls.append(
                    Call(path, {"exception": repr(exc)}, None, time.time(), 500, "standin_crashed")
                )
            return 500, {}, {"ok": False, "error": "standin_crashed", "detail": repr(exc)}
        return 404, {}, {"ok": False, "error": "not_found"}

    def _api(self, method: str, query: str, headers: Message, body: bytes) -> _Answer:
        at = time.time()
        if self.latency > 0:
            time.sleep(self.latency)
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        parse_error: _SlackError | None = None
        try:
            params.update(_parse_body(headers.get("Content-Type", ""), body))
        except _SlackError as exc:
            parse_error = exc
        _decode_json_fields(params)
        token: str | None = None
        auth = headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            token = auth[7:].strip() or None
        body_token = params.pop("token", None)
        if token is None and isinstance(body_token, str) and body_token:
            token = body_token

        with self._lock:
            delay = _take_next(self._delays, method, "*")
        status, extra_headers, answer = self._answer(method, params, token, parse_error)
        error = None if answer.get("ok") else str(answer.get("error"))
        with self._lock:
            self._calls.append(Call(method, params, token, at, status, error))
        if delay is not None:
            time.sleep(delay)  # the call has taken effect; only its answer is late
        return status, extra_headers, answer

    def _answer(
        self,
        method: str,
        params: JSON,
        token: str | None,
        parse_error: _SlackError | None,
    ) -> _Answer:
        spec = self._methods.get(method)
        if spec is None:
            return 404, {}, {"ok": False, "error": "unknown_method"}
        with self._lock:
            fault = self._take_fault(method, token)
        if fault is not None:
            return self._fault_answer(fault)
        if parse_error is not None:
            return 200, {}, {"ok": False, "error": parse_error.error}
        if spec.auth and not (token and token.startswith(("xoxb-", "xoxp-", "xoxe."))):
            return 200, {}, {"ok": False, "error": "not_authed"}
        if spec.auth and token in self._revoked:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        granted = self.scopes
        if spec.auth and granted is not None and spec.scopes and granted.isdisjoint(spec.scopes):
            return (
                200,
                {"X-OAuth-Scopes": ",".join(sorted(granted))},
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": ",".join(spec.scopes),
                    "provided": ",".join(sorted(granted)),
                },
            )
        required = spec.required
        if method == "oauth.v2.access" and params.get("grant_type") == "refresh_token":
            required = frozenset({"refresh_token"})  # a refresh names no code
        missing = sorted(n for n in required if params.get(n) in (None, ""))
        if missing:
            return (
                200,
                {},
                {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {
                        "messages": [f"[ERROR] missing required field: {n}" for n in missing]
                    },
                },
            )
        handler = self._handlers.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "standin_not_implemented", "method": method}
        if method == "auth.test":
            params = {**params, "_token": token}
        try:
            with self._lock:
                return 200, {}, handler(params)
        except _SlackError as exc:
            return exc.status, {}, {"ok": False, "error": exc.error, **exc.extra}

    @staticmethod
    def _fault_answer(fault: _Fault) -> _Answer:
        if fault.status == 429:
            retry_after = fault.retry_after if fault.retry_after is not None else 1
            return (
                429,
                {"Retry-After": str(retry_after)},
                {"ok": False, "error": fault.error or "ratelimited"},
            )
        if fault.status >= 500:
            return fault.status, {}, {"ok": False, "error": fault.error or "internal_error"}
        return fault.status, {}, {"ok": False, "error": fault.error or "request_failed"}

    def _respond(self, token: str, headers: Message, body: bytes) -> _Answer:
        if self.latency > 0:
            time.sleep(self.latency)
        token = token.strip("/")
        with self._lock:
            key = self._response_keys.get(token)
        if key is None:
            return 404, {}, {"ok": False, "error": "expired_url"}
        try:
            payload = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            payload = None
        problems: list[str] = []
        if not isinstance(payload, dict):
            problems.append("[ERROR] body must be a JSON object")
            payload = {"raw": body.decode("utf-8", errors="replace")}
        else:
            if "blocks" in payload:
                problems += block_kit_problems(payload["blocks"], surface="message")
            text = payload.get("text")
            if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
                problems.append(f"[ERROR] must be less than {MAX_MESSAGE_TEXT + 1} characters")
        with self._lock:
            if problems:
                self._rejected_responses.append((key, payload, problems))
            else:
                self._responses.append((key, payload))
        if problems:
            error = "invalid_blocks" if "blocks" in payload else "invalid_payload"
            meta = {"messages": problems}
            return 400, {}, {"ok": False, "error": error, "response_metadata": meta}
        return 200, {}, {"ok": True}

    # ---- helpers (called with the lock held) -------------------------------------------------

    def _next_ts(self) -> str:
        self._ts += 100
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _dm_for(self, user_id: str) -> _Channel:
        dm_id = self._dm_by_user.get(user_id)
        if dm_id is None:
            dm_id = "D" + user_id[1:] if user_id[:1] in ("U", "W") else "D" + user_id
            self._dm_by_user[user_id] = dm_id
            self._channels[dm_id] = _Channel(
                id=dm_id,
                name=dm_id,
                is_im=True,
                is_member=True,
                user=user_id,
                members={user_id, self.bot_user_id},
            )
        return self._channels[dm_id]

    def _store_key(self, channel_or_user: str) -> str | None:
        if channel_or_user in self._channels:
            return channel_or_user
        return self._dm_by_user.get(channel_or_user)

    def _user(self, user_id: Any, *, error: str = "user_not_found") -> _User:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise _SlackError(error)
        return user

    def _channel(self, channel_id: Any) -> _Channel:
        """A conversation the bot can see (private ones only when a member)."""
        ch = self._channels.get(channel_id) if isinstance(channel_id, str) else None
        if ch is None or (ch.is_private and not ch.is_member):
            raise _SlackError("channel_not_found")
        return ch

    def _post_target(self, channel: Any) -> _Channel:
        """Where chat.postMessage & co. would post for ``channel`` (an id, user id or #name)."""
        if not isinstance(channel, str) or not channel:
            raise _SlackError("channel_not_found")
        if channel.startswith("#"):
            named = [c for c in self._channels.values() if c.name == channel[1:]]
            if not named:
                raise _SlackError("channel_not_found")
            channel = named[0].id
        ch = self._channels.get(channel)
        if ch is None and channel[:1] in ("U", "W"):
            user = self._users.get(channel)
            if user is None:
                raise _SlackError("channel_not_found")
            if user.deleted:
                raise _SlackError("user_not_found")
            if user.is_bot and user.id != self.bot_user_id:
                raise _SlackError("cannot_dm_bot")
            return self._dm_for(channel)
        if ch is None:
            raise _SlackError("channel_not_found")
        if ch.is_im:
            user = self._users.get(ch.user or "")
            if user is not None and user.deleted:
                raise _SlackError("user_not_found")
            return ch
        if ch.is_private and not ch.is_member:
            raise _SlackError("channel_not_found")
        if ch.is_archived:
            raise _SlackError("is_archived")
        if not ch.is_member:
            raise _SlackError("not_in_channel")
        return ch

    def _message_content(self, p: JSON, *, require_content: bool = True) -> JSON:
        """Validated ``text``/``blocks``/``attachments`` of a message call."""
        out: JSON = {}
        text = p.get("text")
        if text is not None:
            text = str(text)
            if len(text) > MAX_MESSAGE_TEXT:
                raise _SlackError("msg_too_long")
            out["text"] = text
        if "blocks" in p and p["blocks"] not in (None, ""):
            blocks = p["blocks"]
            if not isinstance(blocks, list):
                raise _SlackError("invalid_blocks_format")
            problems = block_kit_problems(blocks, surface="message")
            if problems:
                raise _SlackError("invalid_blocks", response_metadata={"messages": problems})
            out["blocks"] = blocks
        if "attachments" in p and p["attachments"] not in (None, ""):
            attachments = p["attachments"]
            if not isinstance(attachments, list):
                raise _SlackError("invalid_attachments")
            if len(attachments) > 100:
                raise _SlackError("too_many_attachments")
            out["attachments"] = attachments
        if require_content and not (out.get("text") or out.get("blocks") or out.get("attachments")):
            raise _SlackError("no_text")
        return out

    def _user_obj(self, u: _User) -> JSON:
        first, _, last = u.real_name.partition(" ")
        avatar = f"https://secure.gravatar.com/avatar/{uuid.uuid5(uuid.NAMESPACE_DNS, u.id).hex}"
        profile: JSON = {
            "real_name": u.real_name,
            "real_name_normalized": u.real_name,
            "display_name": u.name,
            "display_name_normalized": u.name,
            "first_name": first,
            "last_name": last,
            "title": "",
            "phone": "",
            "skype": "",
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + u.id.lower()[-11:],
            "image_24": f"{avatar}?s=24",
            "image_48": f"{avatar}?s=48",
            "image_72": f"{avatar}?s=72",
            "image_192": f"{avatar}?s=192",
            "team": self.team_id,
            "fields": None,
        }
        if u.email:
            profile["email"] = u.email
        if u.is_bot:
            profile["bot_id"] = u.bot_id or ""
            profile["always_active"] = False
        obj: JSON = {
            "id": u.id,
            "team_id": self.team_id,
            "name": u.name,
            "deleted": u.deleted,
            "color": "9f69e7",
            "real_name": u.real_name,
            "profile": profile,
            "is_bot": u.is_bot,
            "is_app_user": False,
            "updated": u.updated,
        }
        if not u.deleted:  # like Slack, deactivated users come without these
            label, offset = _tz_now(u.tz)
            obj.update(
                {
                    "tz": u.tz,
                    "tz_label": label,
                    "tz_offset": offset,
                    "is_admin": u.is_admin,
                    "is_owner": False,
                    "is_primary_owner": False,
                    "is_restricted": False,
                    "is_ultra_restricted": False,
                    "is_email_confirmed": u.email is not None,
                    "who_can_share_contact_card": "EVERYONE",
                }
            )
        return obj

    def _conv_obj(self, ch: _Channel, *, num_members: bool = False) -> JSON:
        if ch.is_im:
            user = self._users.get(ch.user or "")
            return {
                "id": ch.id,
                "created": ch.created,
                "is_im": True,
                "is_org_shared": False,
                "user": ch.user,
                "is_user_deleted": bool(user and user.deleted),
                "priority": 0,
                "is_open": True,
            }
        obj: JSON = {
            "id": ch.id,
            "name": ch.name,
            "is_channel": not ch.is_private and not ch.is_mpim,
            "is_group": ch.is_private and not ch.is_mpim,
            "is_im": False,
            "is_mpim": ch.is_mpim,
            "is_private": ch.is_private,
            "created": ch.created,
            "is_archived": ch.is_archived,
            "is_general": ch.name == "general",
            "unlinked": 0,
            "name_normalized": ch.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "is_member": ch.is_member,
            "creator": "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            obj["num_members"] = len(ch.members)
        return obj

    @staticmethod
    def _page(items: list[Any], p: JSON) -> tuple[list[Any], str]:
        try:
            start = int(str(p.get("cursor") or "0").removeprefix("offset:"))
            limit = int(p.get("limit") or 0) or 1000
        except ValueError as exc:
            raise _SlackError("invalid_cursor") from exc
        chunk = items[start : start + limit]
        nxt = f"offset:{start + limit}" if start + limit < len(items) else ""
        return chunk, nxt

    # ---- methods (called with the lock held) ------------------------------------------------

    def _api_test(self, p: JSON) -> JSON:
        if p.get("error"):
            raise _SlackError(str(p["error"]), args=dict(p))
        return {"ok": True, "args": dict(p)}

    def _auth_test(self, p: JSON) -> JSON:
        owner = self._token_teams.get(p.get("_token") or "", self.team_id)
        org = owner in self._orgs  # an org-wide install's token: no workspace
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": None if org else self.team_name,
            "user": self.bot_name,
            "team_id": None if org else owner,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": org,
            **({"enterprise_id": owner} if org else {}),
        }

    def _team_info(self, p: JSON) -> JSON:
        return {
            "ok": True,
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "",
                "icon": {"image_default": True},
            },
        }

    def _users_info(self, p: JSON) -> JSON:
        return {"ok": True, "user": self._user_obj(self._user(p.get("user")))}

    def _users_list(self, p: JSON) -> JSON:
        members, nxt = self._page(list(self._users.values()), p)
        return {
            "ok": True,
            "members": [self._user_obj(u) for u in members],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": nxt},
        }

    def _users_lookup_by_email(self, p: JSON) -> JSON:
        email = str(p["email"]).strip().lower()
        for u in self._users.values():
            if u.email and u.email.lower() == email:
                return {"ok": True, "user": self._user_obj(u)}
        raise _SlackError("users_not_found")

    def _conversations_open(self, p: JSON) -> JSON:
        if p.get("channel"):
            ch = self._channel(p["channel"])
            if not (ch.is_im or ch.is_mpim):
                raise _SlackError("method_not_supported_for_channel_type")
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": ch.id}}
        users_param = p.get("users")
        if isinstance(users_param, list):
            ids = [str(u).strip() for u in users_param]
        else:
            ids = [u.strip() for u in str(users_param or "").split(",")]
        ids = [u for u in ids if u and u != self.bot_user_id]
        if not ids:
            raise _SlackError("users_list_not_supplied")
        if len(ids) > 8:
            raise _SlackError("too_many_users")
        for uid in ids:
            user = self._user(uid)
            if user.deleted:
                raise _SlackError("user_disabled")
        if len(ids) == 1:
            existed = ids[0] in self._dm_by_user
            ch = self._dm_for(ids[0])
        else:
            members = sorted(set(ids))
            mpim_id = "G" + uuid.uuid5(uuid.NAMESPACE_OID, ",".join(members)).hex[:10].upper()
            existed = mpim_id in self._channels
            if not existed:
                self._channels[mpim_id] = _Channel(
                    id=mpim_id,
                    name="mpdm-" + "--".join(self._users[m].name for m in members) + "-1",
                    is_private=True,
                    is_member=True,
                    is_mpim=True,
                    members={*members, self.bot_user_id},
                )
            ch = self._channels[mpim_id]
        answer: JSON = {"ok": True}
        if existed:
            answer.update(no_op=True, already_open=True)
        answer["channel"] = self._conv_obj(ch) if _truthy(p.get("return_im")) else {"id": ch.id}
        return answer

    def _conversations_join(self, p: JSON) -> JSON:
        ch = self._channels.get(p.get("channel") or "")
        if ch is None:
            raise _SlackError("channel_not_found")
        if ch.is_im or ch.is_mpim or ch.is_private:
            raise _SlackError("method_not_supported_for_channel_type")
        if ch.is_archived:
            raise _SlackError("is_archived")
        already = ch.is_member
        ch.is_member = True
        ch.members.add(self.bot_user_id)
        answer: JSON = {"ok": True, "channel": self._conv_obj(ch)}
        if already:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        return answer

    def _conversations_info(self, p: JSON) -> JSON:
        ch = self._channel(p.get("channel"))
        return {
            "ok": True,
            "channel": self._conv_obj(ch, num_members=_truthy(p.get("include_num_members"))),
        }

    def _conversations_list(self, p: JSON) -> JSON:
        types = {t.strip() for t in str(p.get("types") or "public_channel").split(",")}
        chosen = []
        for ch in self._channels.values():
            kind = (
                "im"
                if ch.is_im
                else "mpim"
                if ch.is_mpim
                else "private_channel"
                if ch.is_private
                else "public_channel"
            )
            if kind not in types:
                continue
            if kind == "private_channel" and not ch.is_member:
                continue
            if ch.is_archived and _truthy(p.get("exclude_archived")):
                continue
            chosen.append(ch)
        page, nxt = self._page(chosen, p)
        return {
            "ok": True,
            "channels": [self._conv_obj(ch) for ch in page],
            "response_metadata": {"next_cursor": nxt},
        }

    def _conversations_members(self, p: JSON) -> JSON:
        ch = self._channel(p.get("channel"))
        members, nxt = self._page(sorted(ch.members), p)
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": nxt}}

    def _chat_post_message(self, p: JSON) -> JSON:
        ch = self._post_target(p["channel"])
        content = self._message_content(p)
        ts = self._next_ts()
        msg: JSON = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": content.get("text", ""),
            "blocks": content.get("blocks", []),
            "ts": ts,
            "channel": ch.id,
        }
        if "attachments" in content:
            msg["attachments"] = content["attachments"]
        for key in ("thread_ts", "metadata"):
            if p.get(key):
                msg[key] = p[key]
        self._messages.setdefault(ch.id, []).append(msg)
        message = {k: v for k, v in msg.items() if k != "channel"}
        return {"ok": True, "channel": ch.id, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, p: JSON) -> JSON:
        ch = self._post_target(p["channel"])
        user = self._user(p["user"])
        if user.deleted:
            raise _SlackError("user_not_found")
        if not ch.is_im and ch.members - {self.bot_user_id} and user.id not in ch.members:
            raise _SlackError("user_not_in_channel")
        content = self._message_content(p)
        ts = self._next_ts()
        msg: JSON = {
            "type": "message",
            "subtype": "ephemeral",
            "user": user.id,
            "bot_id": self.bot_id,
            "text": content.get("text", ""),
            "blocks": content.get("blocks", []),
            "ts": ts,
            "channel": ch.id,
        }
        if p.get("thread_ts"):
            msg["thread_ts"] = p["thread_ts"]
        self._ephemeral.setdefault(ch.id, []).append(msg)
        return {"ok": True, "message_ts": ts}

    def _find_message(self, p: JSON, ts_key: str = "ts") -> tuple[_Channel, JSON]:
        channel = p["channel"]
        key = self._store_key(channel) if isinstance(channel, str) else None
        if key is None:
            raise _SlackError("channel_not_found")
        for msg in self._messages.get(key, []):
            if msg["ts"] == p[ts_key]:
                return self._channels[key], msg
        raise _SlackError("message_not_found")

    def _chat_update(self, p: JSON) -> JSON:
        ch, msg = self._find_message(p)
        content = self._message_content(p, require_content=False)
        if not content and not msg.get("text") and not msg.get("blocks"):
            raise _SlackError("no_text")
        msg.update(content)
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        message = {k: v for k, v in msg.items() if k != "channel"}
        return {
            "ok": True,
            "channel": ch.id,
            "ts": msg["ts"],
            "text": msg.get("text", ""),
            "message": message,
        }

    def _chat_delete(self, p: JSON) -> JSON:
        ch, msg = self._find_message(p)
        self._messages[ch.id].remove(msg)
        return {"ok": True, "channel": ch.id, "ts": msg["ts"]}

    def _chat_get_permalink(self, p: JSON) -> JSON:
        ch, msg = self._find_message(p, "message_ts")
        p_ts = "p" + msg["ts"].replace(".", "")
        link = f"https://{self.team_domain}.slack.com/archives/{ch.id}/{p_ts}"
        return {"ok": True, "channel": ch.id, "permalink": link}

    def _check_view(self, view: Any, expected: Surface | None) -> JSON:
        if isinstance(view, str):
            raise _SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] view must be a JSON object"]},
            )
        if not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        if view.get("type") not in ("modal", "home") or (
            expected is not None and view.get("type") != expected
        ):
            msg = f"[ERROR] view type must be {expected or 'modal or home'}"
            raise _SlackError("invalid_arguments", response_metadata={"messages": [msg]})
        problems = view_problems(view, expected_type=expected)
        if problems:
            raise _SlackError("invalid_blocks", response_metadata={"messages": problems})
        return view

    def _new_view(
        self, view: JSON, *, view_id: str | None = None, previous: str | None = None
    ) -> JSON:
        if view_id is None:
            self._view_seq += 1
            view_id = f"V{self._view_seq:09d}"
        external_id = view.get("external_id") or ""
        if external_id:
            owner = self._external_ids.get(external_id)
            if owner is not None and owner != view_id:
                raise _SlackError("duplicate_external_id")
            self._external_ids[external_id] = view_id
        old = self._views.get(view_id)
        obj: JSON = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{self._next_ts()}.{uuid.uuid4().hex[:8]}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": old["previous_view_id"] if old else previous,
            "root_view_id": old["root_view_id"] if old else view_id,
            "app_id": self.app_id,
            "external_id": external_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self._views[view_id] = obj
        return obj

    def _views_open(self, p: JSON) -> JSON:
        view = self._check_view(p["view"], "modal")
        return {"ok": True, "view": self._new_view(view)}

    def _views_push(self, p: JSON) -> JSON:
        view = self._check_view(p["view"], "modal")
        return {"ok": True, "view": self._new_view(view)}

    def _views_update(self, p: JSON) -> JSON:
        if "view" not in p:
            raise _SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view"]},
            )
        if p.get("view_id"):
            view_id = p["view_id"]
        elif p.get("external_id"):
            view_id = self._external_ids.get(p["external_id"])
        else:
            raise _SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] view_id or external_id is required"]},
            )
        current = self._views.get(view_id or "")
        if current is None:
            raise _SlackError("not_found")
        view = self._check_view(p["view"], current["type"])
        if p.get("hash") and p["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        return {"ok": True, "view": self._new_view(view, view_id=current["id"])}

    def _views_publish(self, p: JSON) -> JSON:
        user = self._user(p["user_id"])
        if user.deleted:
            raise _SlackError("user_not_found")
        view = self._check_view(p["view"], "home")
        current_id = self._home.get(user.id)
        if current_id and p.get("hash") and p["hash"] != self._views[current_id]["hash"]:
            raise _SlackError("hash_conflict")
        obj = self._new_view(view, view_id=current_id)
        self._home[user.id] = obj["id"]
        return {"ok": True, "view": obj}
