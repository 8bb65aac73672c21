"""The Slack app manifest: valid for Slack, and asking for exactly the scopes the code needs.

The scope check works out which Web API methods ``bot/`` calls by reading its source (no
imports, no network), looks their classic scopes up in Slack's method catalogue
(``bot.devtools.slack_spec``), and turns those into today's granular bot scopes with the
explicit table below. ``app_manifest.yml`` must ask for that set: no less (the call would fail
with ``missing_scope``) and no more (admins are asked to grant scopes the bot never uses).
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest
import yaml
from slack_sdk import WebClient

from bot.cli import main
from bot.devtools.slack_spec import load_methods

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "app_manifest.yml"
SCHEMA = ROOT / "tests" / "slack_reference" / "manifest.schema.1.0.0.json"
BOT = ROOT / "bot"
# Developer tools (request replayers, stand-ins) run with other tokens, never as the bot.
EXCLUDED = (BOT / "devtools",)

# Web API methods called with the bot token by code outside bot/.
ALWAYS_CALLED = {
    "auth.test": "Bolt checks the bot token with auth.test",
}

# Bolt listener helpers that call the Web API on the listener's behalf (bare calls, as Bolt
# passes them in by argument name).  `respond` posts to the response_url: no scope.
BOLT_HELPERS = {
    "say": "chat.postMessage",
}

# Scopes the manifest's features need, whatever the code calls.
FEATURE_SCOPES = {
    "commands": "the /touch slash command and the 'Log as touch' message shortcut",
}

# Events the bot listens to -> the bot scopes Slack asks for before it sends them (its Events
# API reference). Explicit, like the tables below: a new event must be looked up and listed.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "user_change": frozenset({"users:read"}),
}

# Classic scope (as the catalogue names it) -> granular bot scopes that replace it.
# Deliberately explicit: a classic scope not listed here fails the test, so that someone decides
# what it means for a bot token instead of the check guessing.  Leave out classic scopes whose
# granular replacement depends on the method or the conversation type (channels:write,
# conversations:write, conversations:read, conversations:history): those methods go in
# METHOD_SCOPES instead.
CLASSIC_TO_BOT: dict[str, frozenset[str]] = {
    # Needs no scope (the catalogue already drops "none"; views.*, auth.test and
    # chat.getPermalink come through with no scopes at all).
    "none": frozenset(),
    # The classic "bot" scope was the bot token itself: nothing to request.
    "bot": frozenset(),
    # Posting as the bot: chat:write:bot (and the catalogue's plain chat:write) -> chat:write.
    "chat:write": frozenset({"chat:write"}),
    "chat:write:bot": frozenset({"chat:write"}),
    # Same name as a granular bot scope.
    "users:read": frozenset({"users:read"}),
    # users.lookupByEmail, and the email field of users.info / users.list.
    "users:read.email": frozenset({"users:read.email"}),
    "users.profile:read": frozenset({"users.profile:read"}),
    "team:read": frozenset({"team:read"}),
    "reactions:read": frozenset({"reactions:read"}),
    "reactions:write": frozenset({"reactions:write"}),
    "usergroups:read": frozenset({"usergroups:read"}),
    "files:read": frozenset({"files:read"}),
    "commands": frozenset({"commands"}),
}

# Methods whose classic scope is broader than, or named differently from, the granular bot
# scope Touchbase needs for them.  These replace the catalogue's classic scopes entirely.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    # Classic channels:write; a bot joins a public channel with channels:join.
    "conversations.join": frozenset({"channels:join"}),
    # Classic conversations:write (any conversation type).  Touchbase only opens DMs with a
    # rep; add mpim:write here if it ever opens group DMs.
    "conversations.open": frozenset({"im:write"}),
}

# WebClient methods that are not Web API calls.
CLIENT_HELPERS = {"api_call", "validate_slack_signature"}


# --- Which Web API methods does the code call? ----------------------------------------------

# `self.api_call(` then the method name, allowing a comment line in between (files_remote_add).
_API_CALL = re.compile(r"""\bapi_call\(\s*(?:#[^\n]*\s*)*["']([A-Za-z0-9_.]+)["']""")
_SELF_CALL = re.compile(r"\bself\.([a-z][A-Za-z0-9_]*)\(")


@cache
def client_methods() -> dict[str, frozenset[str]]:
    """Public ``WebClient`` method -> the Web API methods it calls, read from its source.

    ``users_info`` -> ``{"users.info"}``.  Wrappers that call other client methods instead of
    ``api_call`` (``files_upload_v2``) are followed.  Anything that still calls nothing maps to
    an empty set, which the finder reports as unresolved.
    """
    names = {
        name
        for name, _ in inspect.getmembers(WebClient, inspect.isfunction)
        if not name.startswith("_") and name not in CLIENT_HELPERS
    }
    sources = {name: inspect.getsource(getattr(WebClient, name)) for name in names}
    direct = {name: set(_API_CALL.findall(src)) for name, src in sources.items()}
    calls = {
        name: {m for m in _SELF_CALL.findall(src) if m in names and m != name}
        for name, src in sources.items()
    }
    resolved: dict[str, frozenset[str]] = {}

    def resolve(name: str, seen: frozenset[str]) -> set[str]:
        out = set(direct[name])
        for callee in calls[name] - seen:
            out |= resolve(callee, seen | {callee})
        return out

    for name in names:
        resolved[name] = frozenset(resolve(name, frozenset({name})))
    return resolved


class Found(NamedTuple):
    """One Web API call in the source."""

    method: str | None  # "users.info"; None when it can't be worked out statically
    where: str  # "bot/services/reps.py:25 .users_info()"


def find_api_calls(source: str, filename: str = "<string>") -> list[Found]:
    """Every Web API call in one module's source.

    Counts ``anything.<WebClient method>(...)`` (``deps.slack.users_info``,
    ``client.views_open``), ``anything.api_call("x.y")`` and Bolt's ``say(...)``.
    """
    known = client_methods()
    found: list[Found] = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        where = f"{filename}:{node.lineno}"
        if isinstance(func, ast.Attribute) and func.attr == "api_call":
            name = _literal_api_method(node)
            found.append(Found(name, f"{where} .api_call({name or '?'!r})"))
        elif isinstance(func, ast.Attribute) and func.attr in known:
            methods = sorted(known[func.attr]) or [None]
            found.extend(Found(m, f"{where} .{func.attr}()") for m in methods)
        elif isinstance(func, ast.Name) and func.id in BOLT_HELPERS:
            found.append(Found(BOLT_HELPERS[func.id], f"{where} {func.id}()"))
    return found


def _literal_api_method(call: ast.Call) -> str | None:
    args = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "api_method")]
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def bot_modules() -> Iterator[Path]:
    for path in sorted(BOT.rglob("*.py")):
        if not any(path.is_relative_to(ex) for ex in EXCLUDED):
            yield path


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def bot_api_calls() -> tuple[Found, ...]:
    found = [Found(m, why) for m, why in ALWAYS_CALLED.items()]
    for path in bot_modules():
        found += find_api_calls(path.read_text(encoding="utf-8"), _rel(path))
    return tuple(found)


def called_methods() -> dict[str, list[str]]:
    """Web API method -> where the bot calls it."""
    out: dict[str, list[str]] = defaultdict(list)
    for f in bot_api_calls():
        if f.method is not None:
            out[f.method].append(f.where)
    return dict(out)


# --- Which scopes does that need? --------------------------------------------------------------


def bot_scopes_for(method: str) -> frozenset[str]:
    """Granular bot scopes one Web API method needs (KeyError for an unmapped classic scope)."""
    if method in METHOD_SCOPES:
        return METHOD_SCOPES[method]
    spec = load_methods()[method]
    if not spec.auth:
        return frozenset()
    return frozenset().union(*(CLASSIC_TO_BOT[classic] for classic in spec.scopes))


def required_scopes() -> dict[str, list[str]]:
    """Granular bot scope -> why the bot needs it."""
    out: dict[str, list[str]] = defaultdict(list)
    for scope, why in FEATURE_SCOPES.items():
        out[scope].append(why)
    for method, wheres in sorted(called_methods().items()):
        for scope in bot_scopes_for(method):
            out[scope].append(f"{method} ({wheres[0]})")
    for event in sorted(registered("event")):
        for scope in EVENT_SCOPES[event]:
            out[scope].append(f"the {event} event")
    return dict(out)


# --- The manifest ----------------------------------------------------------------------------


@cache
def _manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(params=["app_manifest.yml", "touchbase manifest --url"])
def manifest(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Both manifests: the file for one workspace, and the one printed for many."""
    if request.param == "app_manifest.yml":
        return _manifest()
    assert main(["manifest", "--url", "https://touchbase.example.com"]) == 0
    printed: dict[str, Any] = yaml.safe_load(capsys.readouterr().out)
    return printed


def _string_constants() -> dict[str, set[str]]:
    """Module-level ``NAME = "text"`` in bot/, by name (for listeners registered via constants)."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in bot_modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
                node.value, ast.Constant
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        out[target.id].add(node.value.value)
    return out


def registered(*listeners: str) -> set[str]:
    """What bot/ registers with ``app.<listener>(X)``: ``registered("command")`` -> {"/touch"}."""
    constants = _string_constants()
    out: set[str] = set()
    for path in bot_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in listeners
                and node.args
            ):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.add(arg.value)
            elif isinstance(arg, ast.Name | ast.Attribute):
                name = arg.id if isinstance(arg, ast.Name) else arg.attr
                values = constants.get(name, set())
                assert len(values) == 1, (
                    f"{_rel(path)}:{node.lineno}: can't tell which string {name} is "
                    f"(found {sorted(values) or 'none'})"
                )
                out |= values
    return out


def _lines(items: Iterable[str]) -> str:
    return "".join(f"\n  {item}" for item in items)


# --- Tests -------------------------------------------------------------------------------------


def test_manifest_matches_slack_schema(manifest: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft7Validator
    )
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "app_manifest.yml does not match Slack's manifest schema:" + _lines(
        f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors
    )


def test_client_methods_map_to_api_methods() -> None:
    known = client_methods()
    assert known["users_info"] == {"users.info"}
    assert known["chat_postMessage"] == {"chat.postMessage"}
    assert known["files_remote_add"] == {"files.remote.add"}
    assert {"files.getUploadURLExternal", "files.completeUploadExternal"} <= known[
        "files_upload_v2"
    ]


def test_finder_sees_calls_in_source() -> None:
    source = (
        "def handler(client, x, say):\n"
        "    client.chat_postMessage(channel='C1', text='hi')\n"
        "    x.api_call('conversations.join', params={'channel': 'C1'})\n"
        "    x.api_call(api_method='views.open')\n"
        "    say('hello')\n"
        "    x.api_call(name)\n"
        "    repo.recent_touches(1)\n"
    )
    found = find_api_calls(source)
    assert {f.method for f in found} == {
        "chat.postMessage",
        "conversations.join",
        "views.open",
        None,  # api_call with a name only known at run time: reported, not skipped
    }
    assert [f.where for f in found if f.method is None] == ["<string>:6 .api_call('?')"]


def test_finder_sees_the_bots_calls() -> None:
    methods = called_methods()
    # bot/services/reps.py refreshes rep profiles with deps.slack.users_info.
    assert "users.info" in methods
    assert any(w.startswith("bot/services/reps.py:") for w in methods["users.info"])
    unresolved = [f.where for f in bot_api_calls() if f.method is None]
    assert not unresolved, (
        "Web API calls whose method can't be read from the source; call the WebClient "
        "method, or api_call with a literal name:" + _lines(unresolved)
    )


def test_called_methods_are_in_slacks_catalogue() -> None:
    catalogue = load_methods()
    unknown = {m: w for m, w in called_methods().items() if m not in catalogue}
    assert not unknown, "bot/ calls methods that are not in Slack's Web API catalogue:" + _lines(
        f"{m} at {', '.join(w)}" for m, w in sorted(unknown.items())
    )


def unmapped_scopes() -> list[str]:
    """Classic scopes of called methods that the tables above don't translate."""
    catalogue = load_methods()
    return [
        f"{classic!r} needed by {method} ({wheres[0]})"
        for method, wheres in sorted(called_methods().items())
        if method in catalogue and method not in METHOD_SCOPES
        for classic in catalogue[method].scopes
        if classic not in CLASSIC_TO_BOT
    ]


def test_scope_table_covers_called_methods() -> None:
    unmapped = unmapped_scopes()
    assert not unmapped, (
        "Classic scopes with no granular bot scope in tests/test_manifest.py; add them to "
        "CLASSIC_TO_BOT, or the method to METHOD_SCOPES:" + _lines(unmapped)
    )


def test_bot_scopes_are_exactly_what_the_code_needs(manifest: dict[str, Any]) -> None:
    unknown = set(called_methods()) - set(load_methods())
    if unknown or unmapped_scopes():
        pytest.skip("see test_called_methods_are_in_slacks_catalogue / test_scope_table_...")
    needed = required_scopes()
    declared = manifest.get("oauth_config", {}).get("scopes", {}).get("bot", [])
    assert len(declared) == len(set(declared)), f"duplicate bot scopes: {declared}"
    missing = sorted(set(needed) - set(declared))
    extra = sorted(set(declared) - set(needed))
    message = "app_manifest.yml oauth_config.scopes.bot does not match what bot/ needs."
    if missing:
        message += "\nAdd:" + _lines(f"{s}  <- {'; '.join(needed[s])}" for s in missing)
    if extra:
        message += "\nRemove (nothing in bot/ needs it):" + _lines(extra)
    message += f"\nExpected exactly: {sorted(needed)}"
    assert not missing and not extra, message


def _events_path() -> str:
    paths = _string_constants().get("EVENTS_PATH", set())
    return next(iter(paths)) if len(paths) == 1 else "/slack/events"


def test_slash_command(manifest: dict[str, Any]) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/touch"]
    (touch,) = commands
    assert touch["url"].endswith(_events_path())
    assert touch["should_escape"] is True  # mentions arrive as <@U123>, which the parser expects
    assert touch.get("usage_hint")
    handled = registered("command")
    assert handled == {"/touch"}, f"bot/ registers commands {sorted(handled)}, manifest has /touch"


def test_bot_events_are_exactly_what_the_code_listens_to(manifest: dict[str, Any]) -> None:
    handled = registered("event")
    unlisted = sorted(handled - set(EVENT_SCOPES))
    assert not unlisted, f"look up the scopes these events need, in EVENT_SCOPES: {unlisted}"
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(subscribed) == sorted(handled), (
        "app_manifest.yml settings.event_subscriptions.bot_events should be exactly the events "
        f"bot/ listens to: {sorted(handled)}"
    )


def test_request_urls_point_at_bolt(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = {
        "event_subscriptions.request_url": settings["event_subscriptions"]["request_url"],
        "interactivity.request_url": settings["interactivity"]["request_url"],
        "interactivity.message_menu_options_url": settings["interactivity"][
            "message_menu_options_url"
        ],
    }
    wrong = {k: v for k, v in urls.items() if not v.endswith(_events_path())}
    assert not wrong, f"these should end with {_events_path()}: {wrong}"
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False


def test_shortcut_callback_id(manifest: dict[str, Any]) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", "log_as_touch")]
    handled = registered("shortcut", "message_shortcut", "global_shortcut")
    if handled:  # once bot/ handles the shortcut, the manifest and the handler must agree
        assert handled == {s["callback_id"] for s in shortcuts}, (
            f"bot/ handles shortcuts {sorted(handled)}, manifest declares "
            f"{sorted(s['callback_id'] for s in shortcuts)}"
        )


def test_the_printed_manifest_is_the_files_for_many_workspaces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["manifest", "--url", "https://tb.example.org/"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    text = json.dumps(printed)
    assert "touchbase.example.com" not in text and text.count("https://tb.example.org/") == 5
    assert printed["oauth_config"]["redirect_urls"] == [
        "https://tb.example.org/slack/oauth_redirect"
    ]
    assert printed["settings"]["token_rotation_enabled"] is True
    assert printed["settings"]["org_deploy_enabled"] is True
    # Everything else is app_manifest.yml's, URLs on the given host.
    single = json.loads(
        json.dumps(_manifest()).replace("https://touchbase.example.com", "https://tb.example.org")
    )
    del printed["oauth_config"]["redirect_urls"]
    for key in ("token_rotation_enabled", "org_deploy_enabled"):
        del printed["settings"][key], single["settings"][key]
    assert printed == single


def test_the_manifest_url_must_be_https(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["manifest", "--url", "http://tb.example.org"])
    assert exited.value.code == 2
    assert "https://" in capsys.readouterr().err
