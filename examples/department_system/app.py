"""A department system that signs people in through the district portal and works its department's
cases through the portal's JSON API.

- Sign-in: OpenID Connect, authorization code with PKCE; the ID token is checked against the
  portal's published keys.
- Cases: the system's own token (OAuth client credentials, scopes `cases:read cases:write`) lists
  the cases of the department the portal registered it for; a signed-in person signs for one
  (`accept`) or answers the sender (a reply). Every POST carries an Idempotency-Key made when the
  form was shown, so sending a form twice acts once.

Only Flask, requests and PyJWT: the same steps work in any language.

    PORTAL_URL=http://127.0.0.1:8000 flask --app app run --port 8001
"""

import base64
import hashlib
import os
import secrets
import time
import uuid
from urllib.parse import quote, urlencode

import jwt
import requests
from flask import Flask, abort, redirect, request, session, url_for
from markupsafe import escape

PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
CLIENT_ID = os.environ.get("CLIENT_ID", "demo-dept-system")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET", "demo-dept-secret")
REDIRECT_URI = os.environ.get("REDIRECT_URI", "http://127.0.0.1:8001/callback")
AFTER_LOGOUT = os.environ.get("AFTER_LOGOUT", "http://127.0.0.1:8001/")
API = f"{PORTAL_URL}/api/v1"

app = Flask(__name__)
# Set SECRET_KEY when you run more than one process: each would otherwise make its own.
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)


def provider() -> dict:
    return requests.get(f"{PORTAL_URL}/.well-known/openid-configuration", timeout=10).json()


# -- signing people in (OpenID Connect) --------------------------------------------------------


@app.get("/")
def home():
    user = session.get("user")
    if not user:
        return '<a href="/login">Sign in with the portal / 用区门户账号登录</a>'
    return (f"<p>Signed in: {escape(user['name'])} ({escape(user['acr'])})</p>"
            "<p><a href='/cases'>Our department's cases</a></p><a href='/logout'>Sign out</a>")


@app.get("/login")
def login():
    session["state"], session["nonce"], session["verifier"] = (secrets.token_urlsafe(32) for _ in range(3))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(session["verifier"].encode()).digest()).rstrip(b"=")
    query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
             "scope": "openid profile", "state": session["state"], "nonce": session["nonce"],
             "code_challenge": challenge.decode(), "code_challenge_method": "S256"}
    return redirect(provider()["authorization_endpoint"] + "?" + urlencode(query))


@app.get("/callback")
def callback():
    config = provider()
    if request.args.get("state") != session.pop("state", None) or request.args.get("iss") != config["issuer"]:
        abort(400)  # not the answer to our request, or not from our portal (RFC 9207)
    if "error" in request.args:
        return f"Not signed in: {escape(request.args['error'])}", 403
    tokens = requests.post(config["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET), timeout=10, data={
        "grant_type": "authorization_code", "code": request.args["code"], "redirect_uri": REDIRECT_URI,
        "code_verifier": session.pop("verifier", ""),
    }).json()
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(tokens["id_token"])
    claims = jwt.decode(tokens["id_token"], key.key, algorithms=["RS256"], audience=CLIENT_ID,
                        issuer=config["issuer"])
    if claims.get("nonce") != session.pop("nonce", None):
        abort(400)
    info = requests.get(config["userinfo_endpoint"], timeout=10,
                        headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    session["user"] = {"sub": claims["sub"], "name": info.get("name", ""), "acr": claims["acr"]}
    session["id_token"] = tokens["id_token"]
    return redirect(url_for("home"))


@app.get("/logout")
def logout():
    id_token = session.get("id_token")
    session.clear()
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": AFTER_LOGOUT}
    return redirect(provider()["end_session_endpoint"] + "?" + urlencode(query))


# -- the department's cases (the JSON API, with the system's own token) --------------------------

_token = {"value": None, "expires": 0.0}


def system_token() -> str:
    """The system's own access token (client credentials), fetched again shortly before it expires."""
    if _token["value"] is None or time.time() > _token["expires"] - 30:
        answer = requests.post(provider()["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET), timeout=10,
                               data={"grant_type": "client_credentials", "scope": "cases:read cases:write"})
        answer.raise_for_status()
        body = answer.json()
        _token.update(value=body["access_token"], expires=time.time() + body["expires_in"])
    return _token["value"]


def api(method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {system_token()}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{API}{path}", headers=headers, timeout=10, **kwargs)


def signed_in_user() -> dict:
    user = session.get("user")
    if not user:
        abort(401)
    return user


def form_fields() -> str:
    """A CSRF token for our own session, and a fresh Idempotency-Key for the portal."""
    session.setdefault("csrf", secrets.token_urlsafe(16))
    return (f"<input type='hidden' name='csrf' value='{session['csrf']}'>"
            f"<input type='hidden' name='key' value='{uuid.uuid4()}'>")


@app.get("/cases")
def cases():
    signed_in_user()
    page = api("GET", "/cases", params={"state": ["submitted", "accepted", "in_progress"], "limit": 50})
    if page.status_code != 200:
        return f"The portal answered {page.status_code}: {escape(page.json().get('title', ''))}", 502
    rows = []
    for case in page.json()["items"]:
        actions = ""
        if "accept" in case["allowed_actions"]:
            actions += (f"<form method='post' action='/cases/{case['id']}/accept'>{form_fields()}"
                        "<button>Sign for it / 签收</button></form>")
        if "reply" in case["allowed_actions"]:
            actions += (f"<form method='post' action='/cases/{case['id']}/reply'>{form_fields()}"
                        "<label>Reply / 答复 <textarea name='text' required></textarea></label>"
                        "<button>Send / 发送</button></form>")
        rows.append(f"<li><strong>{escape(case['reference'])}</strong> {escape(case['title'])} "
                    f"({escape(case['state'])}, due {escape(case['due']['current_due'] or '-')}){actions}</li>")
    return "<h1>Our department's cases</h1><ul>" + "".join(rows) + "</ul><a href='/'>Back</a>"


def _act(path: str, body: dict):
    signed_in_user()
    expected = session.get("csrf")
    if not expected or not secrets.compare_digest(request.form.get("csrf", ""), expected):
        abort(400)  # not a form this system showed
    answer = api("POST", path, json=body, headers={"Idempotency-Key": request.form.get("key") or str(uuid.uuid4())})
    if answer.status_code != 201:
        problem = answer.json()  # problem details: a stable `code`, a `title` to show
        return f"Not done: {escape(problem.get('title', ''))} ({escape(problem.get('code', ''))})", 409
    return redirect(url_for("cases"))


@app.post("/cases/<case_id>/accept")
def accept(case_id: str):
    return _act(f"/cases/{quote(case_id, safe='')}/transitions", {"action": "accept"})


@app.post("/cases/<case_id>/reply")
def reply(case_id: str):
    return _act(f"/cases/{quote(case_id, safe='')}/replies", {"text": request.form.get("text", "")})
