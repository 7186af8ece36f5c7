"""A department system that signs people in through the district portal.

OpenID Connect, authorization code with PKCE; the ID token is checked against the portal's
published keys. Only Flask, requests and PyJWT: the same steps work in any language.

    PORTAL_URL=http://127.0.0.1:8000 flask --app app run --port 8001
"""

import base64
import hashlib
import os
import secrets
from urllib.parse import urlencode

import jwt
import requests
from flask import Flask, abort, redirect, request, session, url_for
from markupsafe import escape

PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
CLIENT_ID = os.environ.get("CLIENT_ID", "demo-dept-system")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET", "demo-dept-secret")
REDIRECT_URI = os.environ.get("REDIRECT_URI", "http://127.0.0.1:8001/callback")
AFTER_LOGOUT = os.environ.get("AFTER_LOGOUT", "http://127.0.0.1:8001/")

app = Flask(__name__)
# Set SECRET_KEY when you run more than one process: each would otherwise make its own.
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)


def provider() -> dict:
    return requests.get(f"{PORTAL_URL}/.well-known/openid-configuration", timeout=10).json()


@app.get("/")
def home():
    user = session.get("user")
    if not user:
        return '<a href="/login">Sign in with the portal / 用区门户账号登录</a>'
    return f"<p>Signed in: {escape(user['name'])} ({escape(user['acr'])})</p><a href='/logout'>Sign out</a>"


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
