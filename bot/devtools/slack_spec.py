"""Slack Web API method catalogue, extracted from Slack's published OpenAPI spec.

The data lives in ``slack_methods.json`` next to this module (regenerate it with
``python -m bot.devtools.make_slack_methods SPEC.json``); it is MIT-licensed by Slack, see
``LICENSE.slack-api-specs``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["MethodSpec", "load_methods"]


@dataclass(frozen=True)
class MethodSpec:
    """One Web API method: its parameters (``token`` excluded) and the classic scopes it needs."""

    name: str
    params: frozenset[str]
    required: frozenset[str]
    scopes: tuple[str, ...]
    #: False for the few methods that take no token (``api.test``, ``oauth.*``).
    auth: bool = True


@cache
def load_methods() -> dict[str, MethodSpec]:
    """All methods by name (``"chat.postMessage"``).  Cached: treat the result as read-only."""
    raw = resources.files(__package__).joinpath("slack_methods.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    out: dict[str, MethodSpec] = {}
    for name, entry in data["methods"].items():
        params = entry["params"]
        out[name] = MethodSpec(
            name=name,
            params=frozenset(p["name"] for p in params),
            required=frozenset(p["name"] for p in params if p["required"]),
            scopes=tuple(entry["scopes"]),
            auth=bool(entry.get("auth", True)),
        )
    return out
