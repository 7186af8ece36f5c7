"""The baseline: the least a Flask application can do, served by the same gunicorn settings as
the portal. `make bench` measures it in the same run as each page and prints ratios to it."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
