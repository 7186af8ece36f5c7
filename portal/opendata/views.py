"""The open data pages at /data: public, no sign-in, served from the stored snapshots.

Downloads and the DCAT documents are the same for everyone: strong ETags from their content and
Last-Modified from the snapshot, `Cache-Control: public`. The HTML pages carry the visitor's
language and the header forms' CSRF token, so their ETag covers those too and they are cached
privately, revalidated on each visit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.http import is_resource_modified

from portal.config import PROJECT_ROOT
from portal.extensions import db
from portal.i18n import current_language
from portal.opendata import catalogue, dcat
from portal.opendata.forms import DatasetSearchForm
from portal.opendata.spec import LICENCE, PRIVACY_EN, PRIVACY_ZH
from portal.preferences import elder_mode_active

bp = Blueprint("data", __name__, url_prefix="/data", template_folder="templates")

DOWNLOAD_MAX_AGE = 300  # seconds: a refresh shows within five minutes

TYPE_LABELS = {
    "string": _l("Text"),
    "integer": _l("Whole number"),
    "number": _l("Number"),
    "boolean": _l("true or false"),
    "date": _l("Date (YYYY-MM-DD)"),
    "yearmonth": _l("Month (YYYY-MM)"),
}


@bp.get("")
def index():
    form = DatasetSearchForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    entries = catalogue.published(db.session)
    found = catalogue.search(entries, query)
    return _page("opendata/index.html", entries, form=form, query=query, entries=found, total=len(entries),
                 licence=LICENCE)


@bp.get("/")
def index_with_slash():
    return redirect(url_for(".index"), 301)


@bp.get("/catalog.jsonld")
def catalog_jsonld():
    entries = catalogue.published(db.session)
    district = (current_app.config["DISTRICT_NAME_ZH"], current_app.config["DISTRICT_NAME_EN"])
    return _linked_data(dcat.catalog(entries, _url, district), _latest(entries))


@bp.get("/<slug>")
def dataset(slug: str):
    item = catalogue.entry(db.session, slug) or abort(404)
    return _page("opendata/dataset.html", [item], item=item, licence=LICENCE, type_labels=TYPE_LABELS,
                 privacy=(PRIVACY_ZH, PRIVACY_EN))


@bp.get("/<slug>.jsonld")
def dataset_jsonld(slug: str):
    item = catalogue.entry(db.session, slug) or abort(404)
    return _linked_data(dcat.dataset_document(item, _url), item.snapshot.modified)


@bp.get("/<slug>.csv")
def dataset_csv(slug: str):
    return _download(slug, "csv")


@bp.get("/<slug>.json")
def dataset_json(slug: str):
    return _download(slug, "json")


# --- responses ------------------------------------------------------------------------------------


def _url(kind: str, slug: str | None = None) -> str:
    endpoint = {"index": ".index", "catalog": ".catalog_jsonld", "page": ".dataset", "csv": ".dataset_csv",
                "json": ".dataset_json", "jsonld": ".dataset_jsonld"}[kind]
    return url_for(endpoint, slug=slug, _external=True) if slug else url_for(endpoint, _external=True)


def _latest(entries: list[catalogue.Entry]) -> datetime | None:
    return max((item.snapshot.modified for item in entries), default=None)


def _download(slug: str, kind: str) -> Response:
    item = catalogue.entry(db.session, slug) or abort(404)
    snapshot = item.snapshot
    etag = (snapshot.csv_sha256 if kind == "csv" else snapshot.json_sha256)[:32]
    if not is_resource_modified(request.environ, etag=etag, last_modified=snapshot.modified):
        response = Response(status=304)
    else:
        response = Response(catalogue.file_data(db.session, slug, kind), mimetype=catalogue.FORMATS[kind])
        disposition = "attachment" if kind == "csv" else "inline"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{slug}.{kind}"'
        if kind == "csv":
            response.mimetype, response.charset = "text/csv", "utf-8"
    response.set_etag(etag)
    return _public(response, snapshot.modified)


def _linked_data(document: dict, modified: datetime | None) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=1).encode()
    etag = hashlib.sha256(body).hexdigest()[:32]
    if is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(body, mimetype="application/ld+json")
    else:
        response = Response(status=304)
    response.set_etag(etag)
    return _public(response, modified)


def _public(response: Response, modified: datetime | None) -> Response:
    response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = DOWNLOAD_MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    return response


def _page(template: str, shown: list[catalogue.Entry], **context) -> Response:
    """An HTML page answered 304 when the visitor already has this very page."""
    version = catalogue.version(shown)
    if request.if_none_match.contains_weak(_page_etag(version)):
        response = Response(status=304)
    else:
        response = Response(render_template(template, **context))
    # After rendering: rendering may have started the session that holds the CSRF token.
    response.set_etag(_page_etag(version), weak=True)
    response.last_modified = _latest(shown)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.vary.update(["Cookie", "Accept-Language"])
    return response


def _page_etag(version: str) -> str:
    """What makes this page differ from one visitor or moment to the next: the data, the code
    that renders it, the language, elder mode, who is signed in, the header forms' CSRF token
    and any message waiting to be shown."""
    parts = (
        version,
        _code_version(),
        request.full_path,
        current_language(),
        elder_mode_active(),
        current_user.get_id() if current_user.is_authenticated else None,
        session.get("csrf_token"),
        "_flashes" in session,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@cache
def _code_version() -> str:
    """A digest of the templates, styles and translations the pages are made of."""
    digest = hashlib.sha256()
    sources = [
        *sorted((PROJECT_ROOT / "portal/opendata/templates").rglob("*.html")),
        *sorted((PROJECT_ROOT / "portal/templates").rglob("*.html")),
        PROJECT_ROOT / "static/css/portal.css",
        *sorted((PROJECT_ROOT / "translations").rglob("*.po")),
    ]
    for path in sources:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()
