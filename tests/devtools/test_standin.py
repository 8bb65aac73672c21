"""The Slack stand-in, driven over real HTTP by slack_sdk's WebClient (no mocks)."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.devtools import make_slack_methods
from bot.devtools.slack_spec import MethodSpec, load_methods
from bot.devtools.standin import SlackStandIn, block_kit_problems, view_problems

SHARED_SPEC = Path("/work/shared/slack/slack_web_openapi_v2.json")


@pytest.fixture(scope="module")
def server() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def slack(server: SlackStandIn) -> SlackStandIn:
    server.reset()
    server.add_user("U0ALICE", name="alice", real_name="Alice Archer", email="alice@example.com")
    server.add_user("U0BOB", name="bob", tz="Europe/Paris", is_admin=True)
    server.add_user("U0GONE", name="gone", real_name="Gone Person", deleted=True)
    server.add_channel("C0GENERAL", name="general", is_member=True, members=["U0ALICE"])
    server.add_channel("C0RANDOM", name="random")
    server.add_channel("C0SECRET", name="secret", is_private=True)
    return server


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(base_url=slack.api_url, token="xoxb-test", timeout=5)


def api_error(call: Any, *args: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call(*args, **kwargs)
    return info.value


def raw_post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError holds the response open
            return exc.code, json.loads(exc.read())


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def modal(blocks: list[dict[str, Any]], title: str = "Touchbase", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "cb",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks,
        **extra,
    }


# ---- catalogue -----------------------------------------------------------------------------


def test_catalogue_has_methods_params_and_scopes() -> None:
    methods = load_methods()
    assert len(methods) >= 170
    post = methods["chat.postMessage"]
    assert isinstance(post, MethodSpec)
    assert post.required == frozenset({"channel"})
    assert {"text", "blocks", "thread_ts"} <= post.params
    assert "token" not in post.params
    assert post.scopes == ("chat:write",)
    assert methods["users.info"].scopes == ("users:read",)
    assert methods["views.open"].required == frozenset({"trigger_id", "view"})
    assert methods["auth.test"].scopes == ()
    assert methods["api.test"].auth is False
    assert load_methods() is methods  # cached


def test_scope_parsing() -> None:
    parse = make_slack_methods.parse_scopes
    assert parse("Authentication token. Requires scope: `chat:write`") == ["chat:write"]
    assert parse("Authentication token. Requires scope: `none`") == []
    assert parse("Authentication token.") == []


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="needs ../shared/slack")
def test_catalogue_matches_the_published_spec(tmp_path: Path) -> None:
    out = tmp_path / "methods.json"
    assert make_slack_methods.main([str(SHARED_SPEC), str(out)]) == 0
    packaged = Path(make_slack_methods.__file__).with_name("slack_methods.json")
    assert out.read_text() == packaged.read_text()


# ---- protocol: methods, auth, arguments, encodings -------------------------------------------


def test_auth_test_shape(slack: SlackStandIn, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["ok"] is True
    assert resp["team_id"] == "T0TOUCH" and resp["team"] == "Touchbase Demo"
    assert resp["user_id"] == slack.bot_user_id and resp["bot_id"] == slack.bot_id
    assert resp["url"] == "https://touchbase-demo.slack.com/"
    [call] = slack.calls_to("auth.test")
    assert call.token == "xoxb-test" and call.ok


def test_unknown_method_is_404(slack: SlackStandIn, client: WebClient) -> None:
    err = api_error(client.api_call, "nope.method")
    assert err.response.status_code == 404
    assert err.response["error"] == "unknown_method"
    assert slack.calls[-1].method == "nope.method"
    assert slack.calls[-1].status == 404


def test_missing_required_parameter(slack: SlackStandIn, client: WebClient) -> None:
    err = api_error(client.api_call, "chat.postMessage", json={"text": "hi"})
    assert err.response["error"] == "invalid_arguments"
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: channel"
    ]
    assert slack.messages("C0GENERAL") == []


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_invalid_token(slack: SlackStandIn, token: str | None) -> None:
    anonymous = WebClient(base_url=slack.api_url, token=token)
    err = api_error(anonymous.chat_postMessage, channel="C0GENERAL", text="hi")
    assert err.response["error"] == "not_authed"
    assert slack.messages("C0GENERAL") == []
    assert slack.calls[-1].error == "not_authed"


def test_unimplemented_method_is_reported(slack: SlackStandIn, client: WebClient) -> None:
    err = api_error(client.reactions_add, channel="C0GENERAL", name="tada", timestamp="1.2")
    assert err.response["error"] == "standin_not_implemented"
    assert [c.method for c in slack.not_implemented_calls] == ["reactions.add"]


def test_missing_scope_when_scopes_are_restricted() -> None:
    with SlackStandIn(scopes=["users:read"]) as restricted:
        restricted.add_channel("C1", name="c", is_member=True)
        c = WebClient(base_url=restricted.api_url, token="xoxb-test")
        assert c.users_info(user=restricted.bot_user_id)["ok"]
        err = api_error(c.chat_postMessage, channel="C1", text="hi")
        assert err.response["error"] == "missing_scope"
        assert err.response["needed"] == "chat:write"


def test_form_query_and_json_params_are_merged(slack: SlackStandIn) -> None:
    blocks = [section("from a form")]
    form = urllib.parse.urlencode(
        {"channel": "C0GENERAL", "blocks": json.dumps(blocks), "token": "xoxb-form"}
    ).encode()
    status, body = raw_post(
        f"{slack.api_url}chat.postMessage?text=fallback",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200 and body["ok"], body
    call = slack.calls_to("chat.postMessage")[-1]
    assert call.token == "xoxb-form"
    assert call.params == {"channel": "C0GENERAL", "text": "fallback", "blocks": blocks}
    [msg] = slack.messages("C0GENERAL")
    assert msg["blocks"] == blocks and msg["text"] == "fallback"

    status, body = raw_post(
        f"{slack.api_url}chat.postMessage?channel=C0NOPE",
        json.dumps({"channel": "C0GENERAL", "text": "json wins"}).encode(),
        {"Content-Type": "application/json", "Authorization": "Bearer xoxb-json"},
    )
    assert body["ok"] and slack.messages("C0GENERAL")[-1]["text"] == "json wins"

    status, body = raw_post(
        f"{slack.api_url}chat.postMessage",
        b"{not json",
        {"Content-Type": "application/json", "Authorization": "Bearer xoxb-json"},
    )
    assert body == {"ok": False, "error": "invalid_json"}


def test_get_with_query_string(slack: SlackStandIn) -> None:
    req = urllib.request.Request(
        f"{slack.api_url}users.info?user=U0ALICE",
        headers={"Authorization": "Bearer xoxb-test"},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        body = json.loads(resp.read())
    assert body["user"]["id"] == "U0ALICE"


# ---- users -----------------------------------------------------------------------------------


def test_users_info(slack: SlackStandIn, client: WebClient) -> None:
    user = client.users_info(user="U0BOB")["user"]
    assert user["id"] == "U0BOB" and user["team_id"] == "T0TOUCH" and user["name"] == "bob"
    assert user["tz"] == "Europe/Paris"
    offset = datetime.now(ZoneInfo("Europe/Paris")).utcoffset()
    assert offset is not None and user["tz_offset"] == int(offset.total_seconds())
    assert user["tz_label"] in ("Central European Time", "Central European Summer Time")
    assert user["is_admin"] is True and user["is_owner"] is False
    assert user["deleted"] is False and user["is_bot"] is False
    assert user["profile"]["display_name"] == "bob"

    alice = client.users_info(user="U0ALICE")["user"]
    assert alice["real_name"] == "Alice Archer"
    assert alice["profile"]["real_name"] == "Alice Archer"
    assert alice["profile"]["email"] == "alice@example.com"

    gone = client.users_info(user="U0GONE")["user"]
    assert gone["deleted"] is True and "tz" not in gone

    err = api_error(client.users_info, user="U0NOBODY")
    assert err.response["error"] == "user_not_found"


def test_users_lookup_by_email(client: WebClient) -> None:
    assert client.users_lookupByEmail(email="ALICE@example.com")["user"]["id"] == "U0ALICE"
    err = api_error(client.users_lookupByEmail, email="nobody@example.com")
    assert err.response["error"] == "users_not_found"


def test_users_list_paginates(client: WebClient) -> None:
    first = client.users_list(limit=2)
    assert len(first["members"]) == 2
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.users_list(limit=10, cursor=cursor)
    ids = [u["id"] for u in first["members"] + rest["members"]]
    assert {"U0ALICE", "U0BOB", "U0GONE"} <= set(ids)
    assert rest["response_metadata"]["next_cursor"] == ""


# ---- conversations and messages ---------------------------------------------------------------


def test_dm_by_user_id_and_d_id_share_a_list(slack: SlackStandIn, client: WebClient) -> None:
    opened = client.conversations_open(users="U0ALICE")
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users="U0ALICE")["channel"]["id"] == dm  # stable
    first = client.chat_postMessage(channel="U0ALICE", text="by user id")
    assert first["channel"] == dm
    client.chat_postMessage(channel=dm, text="by dm id")
    texts = [m["text"] for m in slack.dm_messages("U0ALICE")]
    assert texts == ["by user id", "by dm id"]
    assert slack.messages(dm) == slack.dm_messages("U0ALICE")
    assert slack.dm_channel_id("U0ALICE") == dm


def test_conversations_open_errors(client: WebClient) -> None:
    assert api_error(client.conversations_open, users="U0GONE").response["error"] == (
        "user_disabled"
    )
    assert api_error(client.conversations_open, users="U0NOBODY").response["error"] == (
        "user_not_found"
    )


def test_post_message_shape_and_increasing_ts(slack: SlackStandIn, client: WebClient) -> None:
    blocks = [section("hello *world*")]
    resp = client.chat_postMessage(channel="C0GENERAL", text="hello", blocks=blocks)
    assert resp["channel"] == "C0GENERAL"
    assert re.fullmatch(r"\d{10}\.\d{6}", resp["ts"])
    assert resp["message"]["text"] == "hello" and resp["message"]["blocks"] == blocks
    assert resp["message"]["bot_id"] == slack.bot_id
    stamps = [client.chat_postMessage(channel="C0GENERAL", text=str(i))["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5
    assert float(stamps[0]) > float(resp["ts"])
    [first, *_] = slack.messages("C0GENERAL")
    assert first == {**resp["message"], "channel": "C0GENERAL"}


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_errors(slack: SlackStandIn, client: WebClient) -> None:
    def error(channel: str) -> str:
        return str(api_error(client.chat_postMessage, channel=channel, text="x").response["error"])

    assert error("C0RANDOM") == "not_in_channel"
    assert error("C0NOPE") == "channel_not_found"
    assert error("C0SECRET") == "channel_not_found"
    assert error("U0GONE") == "user_not_found"
    assert error("U0NOBODY") == "channel_not_found"
    assert api_error(client.chat_postMessage, channel="C0GENERAL").response["error"] == "no_text"
    too_long = api_error(client.chat_postMessage, channel="C0GENERAL", text="x" * 40_001)
    assert too_long.response["error"] == "msg_too_long"
    assert slack.messages("C0RANDOM") == [] and slack.messages("C0GENERAL") == []
    client.chat_postMessage(channel="C0GENERAL", text="x" * 40_000)


def test_join_then_post(slack: SlackStandIn, client: WebClient) -> None:
    joined = client.conversations_join(channel="C0RANDOM")
    assert joined["channel"]["id"] == "C0RANDOM" and joined["channel"]["is_member"] is True
    assert client.conversations_join(channel="C0RANDOM")["warning"] == "already_in_channel"
    client.chat_postMessage(channel="C0RANDOM", text="now I'm in")
    assert [m["text"] for m in slack.messages("C0RANDOM")] == ["now I'm in"]
    info = client.conversations_info(channel="C0RANDOM", include_num_members=True)
    assert info["channel"]["is_member"] is True and info["channel"]["num_members"] == 1

    private = api_error(client.conversations_join, channel="C0SECRET")
    assert private.response["error"] == "method_not_supported_for_channel_type"
    unknown = api_error(client.conversations_join, channel="C0NOPE")
    assert unknown.response["error"] == "channel_not_found"


def test_conversations_info_list_and_members(client: WebClient) -> None:
    info = client.conversations_info(channel="C0GENERAL")["channel"]
    assert info["name"] == "general" and info["is_channel"] and not info["is_private"]
    assert api_error(client.conversations_info, channel="C0NOPE").response["error"] == (
        "channel_not_found"
    )
    names = {c["name"] for c in client.conversations_list()["channels"]}
    assert names == {"general", "random"}
    members = client.conversations_members(channel="C0GENERAL")["members"]
    assert set(members) == {"U0ALICE", "U0TOUCHBOT"}


def test_update_ephemeral_delete(slack: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U0BOB", text="draft")
    updated = client.chat_update(channel=posted["channel"], ts=posted["ts"], text="final")
    assert updated["ts"] == posted["ts"] and updated["text"] == "final"
    [msg] = slack.dm_messages("U0BOB")
    assert msg["text"] == "final" and "edited" in msg
    missing = api_error(client.chat_update, channel=posted["channel"], ts="1.000001", text="x")
    assert missing.response["error"] == "message_not_found"

    eph = client.chat_postEphemeral(channel="C0GENERAL", user="U0ALICE", text="psst")
    [e] = slack.ephemeral_messages("C0GENERAL")
    assert e["ts"] == eph["message_ts"] and e["user"] == "U0ALICE" and e["text"] == "psst"
    outsider = api_error(client.chat_postEphemeral, channel="C0GENERAL", user="U0BOB", text="x")
    assert outsider.response["error"] == "user_not_in_channel"
    assert slack.messages("C0GENERAL") == []  # ephemeral messages are kept apart

    client.chat_delete(channel=posted["channel"], ts=posted["ts"])
    assert slack.dm_messages("U0BOB") == []


# ---- views -----------------------------------------------------------------------------------


def test_views_open_update_push(slack: SlackStandIn, client: WebClient) -> None:
    view = modal([section("hi")], private_metadata="meta")
    opened = client.views_open(trigger_id="trig.1", view=view)["view"]
    assert opened["id"].startswith("V") and opened["type"] == "modal"
    assert opened["callback_id"] == "cb" and opened["private_metadata"] == "meta"
    assert opened["state"] == {"values": {}} and opened["hash"]
    call = slack.calls_to("views.open")[-1]
    assert call.params["view"] == view  # decoded to a dict

    newer = modal([section("updated")])
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=newer)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert slack.view(opened["id"])["blocks"] == newer["blocks"]  # type: ignore[index]
    stale = api_error(client.views_update, view_id=opened["id"], hash=opened["hash"], view=newer)
    assert stale.response["error"] == "hash_conflict"
    assert api_error(client.views_update, view_id="V404", view=newer).response["error"] == (
        "not_found"
    )

    pushed = client.views_push(trigger_id="trig.2", view=modal([section("second")]))["view"]
    assert pushed["id"] != opened["id"]
    assert len(slack.opened_views) == 2

    no_trigger = api_error(client.api_call, "views.open", json={"view": view})
    assert no_trigger.response["error"] == "invalid_arguments"
    assert "missing required field: trigger_id" in str(no_trigger.response["response_metadata"])


def test_views_reject_bad_modals(slack: SlackStandIn, client: WebClient) -> None:
    too_long_title = api_error(
        client.views_open, trigger_id="t", view=modal([section("x")], title="x" * 25)
    )
    assert too_long_title.response["error"] == "invalid_blocks"
    assert "/view/title/text" in too_long_title.response["response_metadata"]["messages"][0]
    home = api_error(client.views_open, trigger_id="t", view={"type": "home", "blocks": []})
    assert home.response["error"] == "invalid_arguments"
    assert slack.opened_views == []


def test_views_publish_home(slack: SlackStandIn, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section(f"row {i}") for i in range(100)]}
    first = client.views_publish(user_id="U0ALICE", view=home)["view"]
    again = client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": []})["view"]
    assert again["id"] == first["id"]
    assert slack.home_view("U0ALICE") == again
    too_many = {"type": "home", "blocks": [section("x")] * 101}
    err = api_error(client.views_publish, user_id="U0ALICE", view=too_many)
    assert err.response["error"] == "invalid_blocks"
    assert api_error(client.views_publish, user_id="U0NOBODY", view=home).response["error"] == (
        "user_not_found"
    )


# ---- faults ----------------------------------------------------------------------------------


def test_scripted_429_is_retried_after_retry_after(slack: SlackStandIn) -> None:
    retrying = WebClient(
        base_url=slack.api_url,
        token="xoxb-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    resp = retrying.chat_postMessage(channel="C0GENERAL", text="eventually")
    elapsed = time.monotonic() - started
    assert resp["ok"] and elapsed >= 1.0
    first, second = slack.calls_to("chat.postMessage")
    assert (first.status, first.error) == (429, "ratelimited")
    assert second.ok
    assert [m["text"] for m in slack.messages("C0GENERAL")] == ["eventually"]


def test_429_without_retry_handler_surfaces_retry_after(
    slack: SlackStandIn, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    err = api_error(client.chat_postMessage, channel="C0GENERAL", text="x")
    assert err.response.status_code == 429
    assert err.response.headers["Retry-After"] == "7"
    assert err.response["error"] == "ratelimited"
    assert slack.messages("C0GENERAL") == []


def test_server_error_has_no_side_effects(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=503)
    err = api_error(client.chat_postMessage, channel="C0GENERAL", text="lost")
    assert err.response.status_code == 503
    assert err.response["error"] == "internal_error"
    assert slack.messages("C0GENERAL") == []
    client.chat_postMessage(channel="C0GENERAL", text="kept")
    assert [m["text"] for m in slack.messages("C0GENERAL")] == ["kept"]


def test_a_slow_answer_times_out_a_post_that_was_made(slack: SlackStandIn) -> None:
    impatient = WebClient(base_url=slack.api_url, token="xoxb-test", timeout=1)
    slack.slow_next("chat.postMessage", seconds=1.5)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C0GENERAL", text="made it")
    assert 1.0 <= time.monotonic() - started < 1.5
    # Slack acted on it: the message is there, and the call is recorded as answered.
    assert [m["text"] for m in slack.messages("C0GENERAL")] == ["made it"]
    [call] = slack.calls_to("chat.postMessage")
    assert call.ok
    # Only the next call was slow.
    assert impatient.chat_postMessage(channel="C0GENERAL", text="on time")["ok"]
    with pytest.raises(ValueError):
        slack.slow_next("chat.postMesage", seconds=1)


def test_scripted_errors_are_consumed_in_order(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail_next("users.info", error="fatal_error")
    slack.fail_next("users.info", error="account_inactive", times=2)
    errors = [api_error(client.users_info, user="U0ALICE").response for _ in range(3)]
    assert [(e.status_code, e["error"]) for e in errors] == [
        (200, "fatal_error"),
        (200, "account_inactive"),
        (200, "account_inactive"),
    ]
    assert client.users_info(user="U0ALICE")["ok"]
    with pytest.raises(ValueError):
        slack.fail_next("chat.postMesage", error="typo")


def test_random_faults_are_seeded(slack: SlackStandIn, client: WebClient) -> None:
    def run() -> list[str]:
        slack.reset()
        slack.set_fault_rates(rate_limited=0.3, server_error=0.2, retry_after=0)
        out = []
        for _ in range(30):
            try:
                client.api_test()
                out.append("ok")
            except SlackApiError as exc:
                out.append(str(exc.response.status_code))
        return out

    first = run()
    assert first == run()
    assert {"ok", "429", "500"} <= set(first)
    slack.set_fault_rates()
    assert client.api_test()["ok"]


# ---- response_url, waiting, reset, concurrency, latency --------------------------------------


def test_response_url_records_payloads(slack: SlackStandIn) -> None:
    url = slack.response_url("cmd")
    assert url.startswith(slack.base_url + "/respond/")
    payload = {"text": "done", "response_type": "ephemeral", "blocks": [section("done")]}
    status, body = raw_post(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    assert (status, body) == (200, {"ok": True})
    assert slack.responses == [("cmd", payload)]
    assert slack.responses_to("cmd") == [payload]

    bad = {"blocks": [section("x" * 3001)]}
    status, body = raw_post(url, json.dumps(bad).encode(), {"Content-Type": "application/json"})
    assert status == 400 and body["error"] == "invalid_blocks"
    assert len(slack.responses) == 1 and len(slack.rejected_responses) == 1

    status, body = raw_post(slack.base_url + "/respond/nope", b"{}", {})
    assert (status, body["error"]) == (404, "expired_url")


def test_wait_for(slack: SlackStandIn, client: WebClient) -> None:
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C0GENERAL", text="x")).start()
    slack.wait_for(lambda: len(slack.messages("C0GENERAL")) == 1, timeout=2)
    with pytest.raises(AssertionError, match=r"condition not met within 0\.05s"):
        slack.wait_for(lambda: len(slack.messages("C0GENERAL")) == 2, timeout=0.05)


def test_reset_keeps_workspace(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C0GENERAL", text="x")
    slack.fail_next("auth.test", error="invalid_auth")
    slack.reset()
    assert slack.calls == [] and slack.messages("C0GENERAL") == [] and slack.responses == []
    assert client.auth_test()["ok"]  # fault cleared
    assert client.users_info(user="U0ALICE")["ok"]
    assert client.chat_postMessage(channel="C0GENERAL", text="still a member")["ok"]


def test_concurrent_posts(slack: SlackStandIn) -> None:
    def worker(n: int) -> None:
        c = WebClient(base_url=slack.api_url, token="xoxb-test")
        for i in range(15):
            c.chat_postMessage(channel="C0GENERAL", text=f"{n}-{i}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    messages = slack.messages("C0GENERAL")
    assert len(messages) == 120 and len({m["ts"] for m in messages}) == 120
    assert len(slack.calls_to("chat.postMessage")) == 120


def test_latency_is_applied() -> None:
    with SlackStandIn(latency=0.1) as slow:
        c = WebClient(base_url=slow.api_url, token="xoxb-test")
        started = time.monotonic()
        c.auth_test()
        assert time.monotonic() - started >= 0.1


# ---- Block Kit limits ------------------------------------------------------------------------


def button(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": "Go"},
        "action_id": "go",
        **overrides,
    }


def select(option_text: str = "one") -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": "pick",
        "options": [{"text": {"type": "plain_text", "text": option_text}, "value": "1"}],
    }


VALID_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
    section("s" * 3000, block_id="b" * 255, accessory=button(value="v" * 2000)),
    {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10},
    {"type": "divider"},
    {"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(25)]},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
    {
        "type": "actions",
        "elements": [
            select("o" * 75),
            button(text={"type": "plain_text", "text": "t" * 75}, action_id="x" * 255),
        ],
    },
    {
        "type": "input",
        "label": {"type": "plain_text", "text": "Note"},
        "element": {
            "type": "plain_text_input",
            "action_id": "note",
            "placeholder": {"type": "plain_text", "text": "p" * 150},
        },
    },
]

LIMIT_CASES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "too many message blocks": ([{"type": "divider"}] * 51, "no more than 50 items"),
    "section text": ([section("s" * 3001)], "/blocks/0/text/text"),
    "empty section text": ([section("")], "/blocks/0/text/text"),
    "too many fields": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        "/blocks/0/fields",
    ),
    "field text": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
        "/blocks/0/fields/0/text",
    ),
    "header text": (
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "/blocks/0/text/text",
    ),
    "header mrkdwn": (
        [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
        "/blocks/0/text/type",
    ),
    "button text": (
        [{"type": "actions", "elements": [button(text={"type": "plain_text", "text": "t" * 76})]}],
        "/blocks/0/elements/0/text/text",
    ),
    "action_id": (
        [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
        "/blocks/0/elements/0/action_id",
    ),
    "duplicate action_id": (
        [{"type": "actions", "elements": [button(), button()]}],
        "duplicate action_id",
    ),
    "block_id": ([section("x", block_id="b" * 256)], "/blocks/0/block_id"),
    "duplicate block_id": (
        [section("x", block_id="same"), section("y", block_id="same")],
        "duplicate block_id: same",
    ),
    "button value": (
        [{"type": "actions", "elements": [button(value="v" * 2001)]}],
        "/blocks/0/elements/0/value",
    ),
    "too many actions": (
        [{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}],
        "no more than 25 items",
    ),
    "too many context elements": (
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "no more than 10 items",
    ),
    "option text": (
        [{"type": "actions", "elements": [select("o" * 76)]}],
        "/blocks/0/elements/0/options/0/text/text",
    ),
    "input placeholder": (
        [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Note"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "placeholder": {"type": "plain_text", "text": "p" * 151},
                },
            }
        ],
        "/blocks/0/element/placeholder/text",
    ),
    "unknown block type": ([{"type": "sektion"}], "unsupported block type"),
}


def test_valid_blocks_have_no_problems() -> None:
    assert block_kit_problems(VALID_BLOCKS, surface="message") == []
    assert block_kit_problems([{"type": "divider"}] * 50, surface="message") == []
    assert block_kit_problems([{"type": "divider"}] * 100, surface="modal") == []


@pytest.mark.parametrize("case", list(LIMIT_CASES))
def test_block_kit_limit(case: str) -> None:
    blocks, expected = LIMIT_CASES[case]
    problems = block_kit_problems(blocks, surface="message")
    assert problems, case
    assert any(expected in p for p in problems), problems


def test_surface_block_limits() -> None:
    assert block_kit_problems([{"type": "divider"}] * 101, surface="modal")
    assert block_kit_problems([{"type": "divider"}] * 101, surface="home")


def test_view_problems() -> None:
    ok = modal([section("x")], submit={"type": "plain_text", "text": "s" * 24})
    assert view_problems(ok) == []
    assert any("/view/title/text" in p for p in view_problems(modal([], title="t" * 25)))
    long_submit = modal([], submit={"type": "plain_text", "text": "s" * 25})
    assert any("/view/submit/text" in p for p in view_problems(long_submit))
    long_close = modal([], close={"type": "plain_text", "text": "c" * 25})
    assert any("/view/close/text" in p for p in view_problems(long_close))
    needs_submit = modal(VALID_BLOCKS[-1:])
    assert any("must provide submit" in p for p in view_problems(needs_submit))
    assert view_problems({"type": "home", "blocks": []}, expected_type="modal")


def test_post_message_with_invalid_blocks_is_refused(
    slack: SlackStandIn, client: WebClient
) -> None:
    too_long = [section("s" * 3001)]
    err = api_error(client.chat_postMessage, channel="C0GENERAL", text="x", blocks=too_long)
    assert err.response["error"] == "invalid_blocks"
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert slack.messages("C0GENERAL") == []
