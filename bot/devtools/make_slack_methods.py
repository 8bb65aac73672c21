"""Regenerate ``slack_methods.json`` from Slack's published OpenAPI 2 spec.

Usage::

    python -m bot.devtools.make_slack_methods /path/to/slack_web_openapi_v2.json

The spec is slackapi/slack-api-specs ``web-api/slack_web_openapi_v2_without_examples.json``
(MIT, see ``LICENSE.slack-api-specs``).  Only what the stand-in needs is kept: for every
method its parameters (name and whether required, ``token`` excluded), whether it takes a
token at all, and the classic scopes named in the token parameter's description.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("slack_methods.json")
SOURCE = (
    "slackapi/slack-api-specs web-api/slack_web_openapi_v2_without_examples.json at bc08db4 "
    "(MIT, see LICENSE.slack-api-specs)"
)

_SCOPE_RE = re.compile(r"`([^`]+)`")


def parse_scopes(description: str) -> list[str]:
    """``"Authentication token. Requires scope: `chat:write`"`` -> ``["chat:write"]``."""
    _, sep, tail = description.partition("Requires scope:")
    if not sep:
        return []
    found = _SCOPE_RE.findall(tail) or [s.strip() for s in tail.split(",")]
    return [s.strip() for s in found if s.strip() and s.strip().lower() != "none"]


def extract(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    methods: dict[str, dict[str, Any]] = {}
    for path, operations in sorted(spec["paths"].items()):
        name = path.lstrip("/")
        params: dict[str, bool] = {}
        scopes: list[str] = []
        auth = False
        verbs: list[str] = []
        for verb, op in sorted(operations.items()):
            if not isinstance(op, dict):
                continue
            verbs.append(verb.upper())
            for p in op.get("parameters", []):
                if p.get("name") == "token":
                    auth = True
                    for s in parse_scopes(p.get("description", "")):
                        if s not in scopes:
                            scopes.append(s)
                    continue
                pname = p["name"]
                params[pname] = params.get(pname, False) or bool(p.get("required", False))
        methods[name] = {
            "verbs": verbs,
            "auth": auth,
            "scopes": scopes,
            "params": [{"name": n, "required": r} for n, r in params.items()],
        }
    return methods


def render(methods: dict[str, dict[str, Any]]) -> str:
    """One method per line: small, greppable and diff-friendly."""
    lines = [
        "{",
        f' "source": {json.dumps(SOURCE)},',
        ' "methods": {',
    ]
    items = list(methods.items())
    for i, (name, data) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(data, separators=(',', ':'))}{comma}")
    lines += [" }", "}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    out = Path(args[1]) if len(args) == 2 else OUTPUT
    methods = extract(spec)
    out.write_text(render(methods), encoding="utf-8")
    print(f"wrote {len(methods)} methods to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
