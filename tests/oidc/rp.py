"""A relying party written with requests and PyJWT (not Authlib), as a department system would.

It speaks only the published protocol: discovery, the authorization URL with PKCE, the token
endpoint with either client authentication method, ID-token checks against the JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import requests

from tests.helpers import DEMO_PASSWORD, csrf_token


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class AuthRequest:
    url: str
    state: str
    nonce: str | None
    verifier: str | None
    params: dict = field(default_factory=dict)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class RelyingParty:
    def __init__(self, base_url: str, client_id: str, redirect_uri: str, secret: str | None = None,
                 auth: str = "client_secret_basic"):
        self.base_url = base_url
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.secret = secret
        self.auth = auth
        self.http = requests.Session()  # the department system's own back channel
        self._config = None
        self._jwks = None

    @property
    def config(self) -> dict:
        if self._config is None:
            self._config = self.http.get(f"{self.base_url}/.well-known/openid-configuration").json()
        return self._config

    def authorization_request(self, scope="openid profile phone", *, pkce=True, nonce=True, **extra) -> AuthRequest:
        state = secrets.token_urlsafe(16)
        nonce_value = secrets.token_urlsafe(16) if nonce is True else (nonce or None)
        verifier = secrets.token_urlsafe(48) if pkce else None
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "scope": scope, "state": state}
        if nonce_value:
            params["nonce"] = nonce_value
        if verifier:
            params.update(code_challenge=s256(verifier), code_challenge_method="S256")
        params.update({k: v for k, v in extra.items() if v is not None})
        return AuthRequest(f"{self.config['authorization_endpoint']}?{urlencode(params)}", state, nonce_value,
                           verifier, params)

    def _client_auth(self, data: dict) -> dict:
        if self.secret is None:
            data["client_id"] = self.client_id
            return {}
        if self.auth == "client_secret_post":
            data.update(client_id=self.client_id, client_secret=self.secret)
            return {}
        return {"auth": (self.client_id, self.secret)}

    def post(self, endpoint: str, data: dict) -> requests.Response:
        data = dict(data)
        kwargs = self._client_auth(data)
        return self.http.post(self.config[endpoint], data=data, **kwargs)

    def exchange(self, code: str, verifier: str | None, **overrides) -> requests.Response:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        if verifier:
            data["code_verifier"] = verifier
        data.update(overrides)
        return self.post("token_endpoint", {k: v for k, v in data.items() if v is not None})

    def refresh(self, refresh_token: str, **extra) -> requests.Response:
        return self.post("token_endpoint", {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})

    def verify_id_token(self, id_token: str, *, nonce: str | None = None, access_token: str | None = None) -> dict:
        """Signature against the JWKS, issuer, audience, expiry, nonce and at_hash, as a careful RP does."""
        signing_key = jwt.PyJWKClient(self.config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token, signing_key.key, algorithms=["RS256"], audience=self.client_id, issuer=self.config["issuer"],
            options={"require": ["iss", "sub", "aud", "exp", "iat", "auth_time"]},
        )
        assert claims.get("nonce") == nonce
        if access_token is not None:
            digest = hashlib.sha256(access_token.encode()).digest()
            assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
        return claims

    def userinfo(self, access_token: str, method: str = "GET", in_body: bool = False) -> requests.Response:
        url = self.config["userinfo_endpoint"]
        if in_body:
            return self.http.post(url, data={"access_token": access_token})
        return self.http.request(method, url, headers={"Authorization": f"Bearer {access_token}"})


# -- the person's browser -------------------------------------------------------------------

_HIDDEN = re.compile(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"|'
                     r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def hidden_inputs(page: str) -> dict[str, str]:
    values = {}
    for match in _HIDDEN.finditer(page):
        name = match.group(1) or match.group(3)
        value = match.group(2) if match.group(1) else match.group(4)
        values[name] = html.unescape(value)
    return values


@dataclass
class Outcome:
    """Where the authorization request ended: back at the client (`location`) or on a portal page."""

    location: str | None = None
    page: requests.Response | None = None

    @property
    def params(self) -> dict[str, str]:
        return query_of(self.location)


def follow(browser: requests.Session, base_url: str, url: str, *, consent: str | None = "allow",
           sign_in_as: str | None = None, password: str = DEMO_PASSWORD) -> Outcome:
    """Walk the authorization request as a person would: sign in if asked, answer the consent page.
    Stops at the first redirect that leaves the portal (not followed: no client is listening)."""
    response = browser.get(url, allow_redirects=False)
    for _ in range(12):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(base_url):
                return Outcome(location=target)
            response = browser.get(target, allow_redirects=False)
            continue
        page = response.text
        if "/auth/login" in response.url and sign_in_as and 'name="password"' in page:
            fields = hidden_inputs(page)
            fields.update(username=sign_in_as, password=password)
            response = browser.post(response.url, data=fields, allow_redirects=False)
            sign_in_as = None  # once
            continue
        if 'name="decision"' in page and consent:
            response = browser.post(response.url, data={"decision": consent, "csrf_token": csrf_token(page)},
                                    allow_redirects=False)
            continue
        return Outcome(page=response)
    raise AssertionError("too many steps")
