"""The app's routes as the attack suite sees them: which change state and which name an object;
and the files of the last commit (test_fuzz reports forms still being written, not fails them).

Every object route of the page blueprints needs its IDOR row, committed or not."""

from __future__ import annotations

import re
import subprocess
from functools import cache

from flask import Flask
from werkzeug.routing import Rule

from portal.config import PROJECT_ROOT

# The blueprints of the three ends and the shared pages; their object routes must be in the IDOR table
# (all of them, the administrators' desk pages included, whether committed yet or not).
PAGE_BLUEPRINTS = ("site", "auth", "oidc", "citizen", "enterprise", "gov")

# Machine interfaces that authenticate each request by token or key (no cookie, so no CSRF), and
# read-only data: out of scope of the form attacks.
MACHINE_PREFIXES = ("/api/", "/open311/", "/data", "/metrics")

# Endpoints that take POSTs without the global CSRF check, and why that is safe.
CSRF_EXEMPT = {
    "oidc.token": "clients authenticate with their secret or PKCE verifier; no cookie is read",
    "oidc.revoke": "clients authenticate with their secret; no cookie is read",
    "oidc.introspect": "resource servers authenticate with their secret; no cookie is read",
    "oidc.userinfo": "a bearer access token, never the session cookie",
    "oidc.authorize": "a POSTed request is turned into a GET; the consent answer checks its own CSRF token",
    "oidc.end_session": "a POSTed request is turned into a GET; the confirmation checks its own CSRF token",
}


def blueprint_of(rule: Rule) -> str:
    return rule.endpoint.rpartition(".")[0]


def is_machine(rule: Rule) -> bool:
    return rule.rule.startswith(MACHINE_PREFIXES)


def post_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.rule)


def object_rules(app: Flask) -> list[Rule]:
    """Routes of the page blueprints with a variable part: each names an object (or a choice).
    Machine interfaces (MACHINE_PREFIXES) are not pages, even when a page blueprint declares one."""
    return sorted(
        (r for r in app.url_map.iter_rules()
         if r.arguments and blueprint_of(r) in PAGE_BLUEPRINTS and not is_machine(r)),
        key=lambda r: r.rule,
    )


@cache
def _committed(relative: str) -> str | None:
    """The file as in the last commit; None when it is not in it (or there is no repository)."""
    try:
        result = subprocess.run(
            ["git", "show", f"HEAD:{relative}"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


@cache
def _have_git() -> bool:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              timeout=30, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def fill(rule: Rule, values: dict | None = None) -> str:
    """The rule's URL with each variable part taken from `values`, else a made-up value."""
    values = values or {}

    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "", match.group(2)
        made_up = "1" if converter.startswith(("int", "float")) else "0" * 32
        return str(values.get(name, made_up))

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", value, rule.rule)
