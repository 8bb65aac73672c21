"""The install pages of OAuth mode: small, accessible HTML (a language, a title, one heading,
real links), every word from bot.ui.text and every value escaped."""

from __future__ import annotations

from html import escape

from bot.ui import text

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 18px/1.5 system-ui, sans-serif; max-width: 36em; margin: 3em auto;
  padding: 0 1em; color: #1d1c1d; }}
a.button {{ display: inline-block; padding: .6em 1.2em; background: #2f6f5e; color: #fff;
  border-radius: 6px; text-decoration: none; font-weight: 600; }}
a.button:focus {{ outline: 3px solid #1d1c1d; outline-offset: 2px; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{lead}</p>
<p><a class="button" href="{href}">{link}</a></p>
</main>
</body>
</html>
"""


def _page(title: str, lead: str, href: str, link: str) -> str:
    return _PAGE.format(
        title=escape(title), lead=escape(lead), href=escape(href, quote=True), link=escape(link)
    )


def install_page(authorize_url: str) -> str:
    return _page(text.INSTALL_TITLE, text.INSTALL_LEAD, authorize_url, text.INSTALL_BUTTON)


def installed_page(app_home_url: str) -> str:
    return _page(text.INSTALLED_TITLE, text.INSTALLED_NEXT, app_home_url, text.INSTALLED_OPEN)


def org_installed_page(choose_workspaces_url: str) -> str:
    """After an org-wide install (Enterprise Grid), which adds the app to no workspace yet."""
    return _page(
        text.ORG_INSTALLED_TITLE,
        text.ORG_INSTALLED_NEXT,
        choose_workspaces_url,
        text.ORG_INSTALLED_CHOOSE,
    )


def not_installed_page(reason: str, install_path: str) -> str:
    """`reason`: Bolt's — access_denied (cancelled), invalid_state / invalid_browser (an
    expired or reused link), anything else (Slack or the store failed)."""
    if reason == "access_denied":
        lead = text.NOT_INSTALLED_CANCELLED
    elif reason in ("invalid_state", "invalid_browser", "missing_code"):
        lead = text.NOT_INSTALLED_EXPIRED
    else:
        lead = text.NOT_INSTALLED_FAILED
    return _page(text.NOT_INSTALLED_TITLE, lead, install_path, text.NOT_INSTALLED_AGAIN)
