"""A second reference beside "hello": the leanest page a database can give on this stack. One
Core statement by primary key on the scaled district (a service guide of the catalogue) and a
template compiled once, with none of the portal's session, sign-in, CSRF, language, rate limits,
access line or latency sample. `make bench` prints it as a row of its own, without a target: what
a page costs before anything a portal does for its people."""

import os

from flask import Flask, render_template
from sqlalchemy import create_engine, text

from portal.config import normalise_database_url

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]))

# The catalogue's first guide, by its primary key (looked up once): the demo seed always has guides.
with engine.connect() as _connection:
    GUIDE_ID = _connection.execute(text("SELECT min(id) FROM service_guide")).scalar_one()
GUIDE = text("SELECT code, name_zh, summary_zh FROM service_guide WHERE id = :id")
PAGE = app.jinja_env.from_string(
    '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ guide.name_zh }}</title></head>\n'
    "<body><main><h1>{{ guide.name_zh }}</h1><p>{{ guide.summary_zh }}</p>"
    '<p><a href="/citizen/services/{{ guide.code }}">{{ guide.code }}</a></p></main></body></html>\n'
)


@app.get("/")
def guide():
    with engine.connect() as connection:
        row = connection.execute(GUIDE, {"id": GUIDE_ID}).one()
    return render_template(PAGE, guide=row)
