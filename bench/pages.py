"""The portal's pages against the stack's ceiling: each page under load, as a ratio to a bare Flask
"hello" app served by the same gunicorn settings and measured in the same run.

    make bench                                   # or: .venv/bin/python -m bench.pages
    .venv/bin/python -m bench.pages --duration 5 --only "desk queue,citizen home, signed in"
    .venv/bin/python -m bench.pages --serve      # start the servers, sign in, print wrk commands

What it does:

  1. finds or builds the scaled demo district (bench/scale.py: the demo seed plus 100,000
     residents, 100,000 enterprises and 1,000,000 cases) and works on a copy of it;
  2. starts the portal (bench/portal_app.py), the hello app (bench/hello.py) and, when its row is
     measured, a lean page (bench/lean.py: one statement and a compiled template) and a lean
     refresh (bench/lean_refresh.py: the token endpoint's statements and nothing else), two
     references, under gunicorn with the project's gunicorn.conf.py: WEB_CONCURRENCY workers
     (default: one per core) of PORTAL_THREADS threads each, the same for all, on loopback ports
     18110 to 18113;
  3. signs in through the real forms (a resident, an enterprise's legal representative, an officer
     with password and TOTP) and takes their session cookies, as their browsers hold them; the
     anonymous rows send the cookie a visitor has after their first pages (the CSRF token of the
     header's forms, nothing else); each portal page is opened once just before it is measured, and
     the load is that person reloading it, with the cookie as its last answer left it (the city
     code page shows the same code for the rest of its minute); the token endpoint's refresh
     tokens come from real authorization-code flows with PKCE;
  4. for 1 and 32 connections, runs wrk (Debian) for --duration seconds on each row, with hello
     measured before and after it; when the two hello figures differ by more than 15% the machine
     was busy with something else, and the row is measured again (up to twice);
  5. fetches each portal page with the CSS and scripts it links, and counts their bytes;
  6. times policy matching over every enterprise against a bare SELECT (bench/matching.py);
  7. prints one table and exits non-zero when any row misses its target.

Targets: pages anonymous visitors see ≥ 0.5× hello's throughput; signed-in pages ≥ 0.3×; p99
latency ≤ 3× hello's; HTML + CSS + JS of a page ≤ 60 KB; matching ≤ 3× the bare SELECT; and no
request answered with an error. The references have no target of their own: the lean page shows,
in the same run, how far below hello a page with one statement and a template already is
(0.52–0.66× in these runs). A refresh writes, and its answer can never be given again, so hello
is no ceiling for it: the lean refresh, answering the same grant with the same statements and
nothing else, measures about 0.3× hello at one connection and 0.2× at 32, its p99 four to ten
times hello's. The token endpoint (a client authenticated by its secret) is held to what
signed-in pages are held to, taken against that ceiling instead of hello's: ≥ 0.6× the lean
refresh's throughput (a chosen figure: the signed-in pages' 0.3× over the anonymous pages' 0.5×,
about where the lean page measures) and p99 ≤ 3× the lean refresh's.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pyotp
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.scale import BENCH_SECRET_KEY, CASES, ENTERPRISES, RESIDENTS, ROOT, district_copy

HERE = Path(__file__).resolve().parent
HELLO_PORT, PORTAL_PORT, LEAN_PORT, LEAN_REFRESH_PORT = 18110, 18111, 18112, 18113
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) portal-bench"  # the same for sign-in and load
PASSWORD = "Demo-2026-portal"  # noqa: S105 - the published demo password
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - the published demo authenticator key
CLIENT_ID, CLIENT_SECRET = "demo-dept-system", "demo-dept-secret"  # the published demo client
REDIRECT_URI = "http://127.0.0.1:8001/callback"
DEMO_COMPANY_USCC = "91310117MA1FPX3K11"
SEARCH = "养老"
KB = 1024
BYTES_TARGET = 60 * KB
P99_TARGET = 3.0
MATCHING_TARGET = 3.0
BUSY = 0.15  # hello before and after a row differing by more than this: measure the row again


@dataclass(frozen=True)
class Row:
    name: str
    path: str
    who: str | None = None  # whose session cookie: resident, company, officer; None: anonymous
    script: str = "page"
    target: float | None = 0.5  # None: a reference, measured and printed without a target
    server: str = "portal"  # or "lean", "lean_refresh"
    # The reference row the target is taken against (throughput and p99 alike); None: hello.
    against: str | None = None


ROWS = [
    Row("citizen home", "/citizen/"),
    Row("citizen home, signed in", "/citizen/", who="resident", target=0.3),
    Row("city code", "/citizen/code", who="resident", target=0.3),
    Row("service catalogue", "/citizen/services"),
    Row("service search", f"/citizen/services?q={quote(SEARCH)}"),
    Row("policy matches", "/enterprise/c/{company}/matches", who="company", target=0.3),
    Row("desk queue", "/gov/cases", who="officer", target=0.3),
    # A refresh writes: its target is taken against the leanest refresh the stack can answer.
    Row("OIDC token (refresh)", "/oidc/token", script="refresh", target=0.6, against="lean refresh (reference)"),
    Row("lean refresh (reference)", "/oidc/token", script="refresh", target=None, server="lean_refresh"),
    Row("lean page (reference)", "/", target=None, server="lean"),
]
PEOPLE = {"resident": ("13800000001", None), "company": ("13800000011", None), "officer": ("officer.jw", TOTP_SECRET)}


# --- load -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rps: float
    p99_ms: float
    errors: int

    @classmethod
    def parse(cls, output: str) -> Load:
        line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
        data = json.loads(line)
        errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
        return cls(data["requests"] / (data["duration_us"] / 1e6), data["p99_us"] / 1000, errors)


def run_wrk(url: str, connections: int, duration: int, script: str, env: dict) -> Load:
    threads = min(connections, os.cpu_count() or 1)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(HERE / "wrk" / f"{script}.lua"), url]
    environment = {**os.environ, "BENCH_LUA_DIR": str(HERE / "wrk"), "BENCH_USER_AGENT": USER_AGENT,
                   "BENCH_THREADS": str(threads), **env}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {' '.join(command)}\n{done.stdout}{done.stderr}")
    return Load.parse(done.stdout)


# --- servers ------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    app: str
    env: dict
    log: Path
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int, threads: int) -> None:
        env = {**os.environ, **self.env, "WEB_CONCURRENCY": str(workers), "PORTAL_THREADS": str(threads),
               "PORTAL_BIND": f"127.0.0.1:{self.port}", "PYTHONPATH": str(ROOT)}
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(  # the access log (stdout) is written, as in production, then dropped
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), self.app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"), start_new_session=True,
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} did not start; see {self.log}")
            try:
                if requests.get(self.base + path, timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within a minute; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- people and tokens ------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _Totp(pyotp.TOTP):
    min_secret_length_bits = 80  # the published demo key is 80 bits, like most authenticators'


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise SystemExit("no CSRF token on the sign-in page")
    return match.group(1)


def sign_in(base: str, login: str, totp_secret: str | None) -> requests.Session:
    """Sign in through the forms, as a browser would; returns the session holding the cookie."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    page = http.get(f"{base}/auth/login")
    answer = http.post(page.url, data={"username": login, "password": PASSWORD, "csrf_token": _csrf(page.text)})
    for steps_ahead in (0, 1, 2):  # a TOTP code works once: after a recent sign-in, wait for the next
        if "/auth/mfa" not in answer.url:
            break
        # After the wait, the step after the new current one: the portal allows one step of drift.
        code = _Totp(totp_secret).at(time.time() + 30 * min(steps_ahead, 1))
        answer = http.post(answer.url, data={"code": code, "csrf_token": _csrf(answer.text)})
        if "/auth/mfa" in answer.url and steps_ahead == 1:
            time.sleep(30 - time.time() % 30 + 0.5)
    if "/auth/" in answer.url or "session" not in http.cookies:
        raise SystemExit(f"could not sign in as {login}")
    return http


def refresh_tokens(base: str, http: requests.Session, count: int) -> list[str]:
    """`count` refresh tokens for the demo department system, each from its own authorization-code
    flow (with PKCE) by the signed-in `http`, the consent given on the first."""
    tokens = []
    for _ in range(count):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
                  "scope": "openid profile", "state": secrets.token_urlsafe(8), "code_challenge": challenge,
                  "code_challenge_method": "S256"}
        answer = http.get(f"{base}/oidc/authorize", params=params, allow_redirects=False)
        if answer.status_code == 200:  # the consent page, the first time
            answer = http.post(answer.url, data={"decision": "allow", "csrf_token": _csrf(answer.text)},
                               allow_redirects=False)
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
        token = requests.post(
            f"{base}/oidc/token", auth=(CLIENT_ID, CLIENT_SECRET), headers={"User-Agent": USER_AGENT}, timeout=30,
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                  "code_verifier": verifier},
        )
        token.raise_for_status()
        tokens.append(token.json()["refresh_token"])
    return tokens


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def page_bytes(http: requests.Session, url: str) -> int:
    """Bytes of the page's HTML and of the CSS and scripts it links, uncompressed."""
    page = http.get(url)
    page.raise_for_status()
    parser = _Assets()
    parser.feed(page.text)
    return len(page.content) + sum(len(http.get(urljoin(url, asset)).content) for asset in parser.urls)


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Measured:
    row: Row
    connections: int
    portal: Load
    hello: list[Load] = field(default_factory=list)  # before and after
    bytes: int | None = None

    @property
    def hello_rps(self) -> float:
        return sum(h.rps for h in self.hello) / len(self.hello)

    @property
    def hello_p99(self) -> float:
        return sum(h.p99_ms for h in self.hello) / len(self.hello)

    @property
    def ratio(self) -> float:
        return self.portal.rps / self.hello_rps

    @property
    def p99_ratio(self) -> float:
        return self.portal.p99_ms / self.hello_p99

    def ratios_to(self, reference: Measured) -> tuple[float, float]:
        """Throughput and p99 as ratios to another row's at the same connections, each row taken
        by its ratios to hello measured beside it, so that the machine's speed between the two
        rows cancels out as it does for the ratios to hello."""
        return self.ratio / reference.ratio, self.p99_ratio / reference.p99_ratio

    def meets_target(self, reference: Measured | None = None) -> bool:
        """At target: against hello, or against `reference` (the row's `against`, which it needs)."""
        if self.row.target is None:
            return self.portal.errors == 0
        if self.row.against is not None:
            if reference is None or not reference.meets_target():
                return False
            ratio, p99_ratio = self.ratios_to(reference)
        else:
            ratio, p99_ratio = self.ratio, self.p99_ratio
        return (
            self.portal.errors == 0
            and ratio >= self.row.target
            and p99_ratio <= P99_TARGET
            and (self.bytes is None or self.bytes <= BYTES_TARGET)
        )


class Bench:
    def __init__(self, args, workdir: Path, database_url: str):
        self.args = args
        self.workdir = workdir
        self.hello = Server("hello", HELLO_PORT, "bench.hello:app", {"PORTAL_ENV": "production"},
                            workdir / "hello.log")
        self.portal = Server("portal", PORTAL_PORT, "bench.portal_app:app", {
            "PORTAL_ENV": "production",
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            "SECRET_KEY": BENCH_SECRET_KEY,
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(workdir / "uploads"),
        }, workdir / "portal.log")
        self.lean = Server("lean", LEAN_PORT, "bench.lean:app",
                           {"PORTAL_ENV": "production", "DATABASE_URL": database_url}, workdir / "lean.log")
        self.lean_refresh = Server("lean_refresh", LEAN_REFRESH_PORT, "bench.lean_refresh:app",
                                   {"PORTAL_ENV": "production", "DATABASE_URL": database_url},
                                   workdir / "lean_refresh.log")
        self.servers = {server.name: server for server in (self.hello, self.portal, self.lean, self.lean_refresh)}
        self.sessions: dict[str | None, requests.Session] = {}
        self.company = _demo_company(database_url)

    def start(self, rows: list[Row]) -> None:
        workers, threads = self.args.workers, self.args.threads
        for name in ("hello", "portal", *sorted({row.server for row in rows} - {"portal"})):
            self.servers[name].start(workers, threads)
        self.hello.wait("/")
        if self.lean.process is not None:
            self.lean.wait("/")
        if self.lean_refresh.process is not None:
            self.lean_refresh.wait("/healthz")
        self.portal.wait("/healthz")
        # An anonymous visitor as a browser is after its first page: its session cookie holds the
        # CSRF token of the header's forms, and nothing else.
        visitor = _anonymous()
        for _ in range(2):  # the second answer marks the session not fresh (Flask-Login): once only
            visitor.get(self.portal.base + "/citizen/").raise_for_status()
        self.sessions[None] = visitor
        for who, (login, totp) in PEOPLE.items():
            self.sessions[who] = sign_in(self.portal.base, login, totp)

    def cookie(self, who: str | None) -> str:
        """The person's session cookie as their browser holds it now (after any Set-Cookie)."""
        return f"session={self.sessions[who].cookies['session']}"

    def stop(self) -> None:
        for server in (self.portal, self.lean, self.lean_refresh, self.hello):
            server.stop()

    def url(self, row: Row) -> str:
        return self.servers[row.server].base + row.path.format(company=self.company)

    def measure(self, row: Row, connections: int, duration: int) -> Load:
        if row.script == "refresh":
            tokens = self.workdir / "tokens.txt"
            count = connections + 2 * min(connections, os.cpu_count() or 1)
            tokens.write_text("\n".join(refresh_tokens(self.portal.base, self.sessions["resident"], count)) + "\n")
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            env = {"BENCH_TOKENS": str(tokens), "BENCH_CLIENT_AUTH": f"Basic {basic}"}
        elif row.server != "portal":
            env = {}  # nobody to be: no session, no cookie
        else:
            # The person has the page open: their browser holds what its last answer set (for the
            # city code, the code it shows during its minute), and each request is a reload.
            self.sessions[row.who].get(self.url(row), allow_redirects=False).raise_for_status()
            env = {"BENCH_COOKIE": self.cookie(row.who)}
        return run_wrk(self.url(row), connections, duration, row.script, env)

    def hello_load(self, connections: int, duration: int) -> Load:
        return run_wrk(self.hello.base + "/", connections, duration, "page", {})

    def check(self, row: Row) -> int | None:
        """The page answers 200 to its person (no redirect to sign in); returns its bytes."""
        if row.script != "page" or row.server != "portal":
            return None
        http = self.sessions[row.who]
        answer = http.get(self.url(row), allow_redirects=False)
        if answer.status_code != 200:
            raise SystemExit(f"{row.name}: {self.url(row)} answered {answer.status_code}")
        return page_bytes(http, self.url(row))

    def warm_up(self, rows: list[Row]) -> None:
        self.hello_load(32, 2)
        for row in rows:
            self.measure(row, 32, 2)

    def run(self, rows: list[Row]) -> list[Measured]:
        sizes = {row.name: self.check(row) for row in rows}
        self.warm_up(rows)
        duration = self.args.duration
        results = []
        for connections in self.args.connections:
            before = self.hello_load(connections, duration)
            for row in rows:
                for attempt in range(3):
                    portal = self.measure(row, connections, duration)
                    after = self.hello_load(connections, duration)
                    measured = Measured(row, connections, portal, [before, after], sizes[row.name])
                    busy = abs(after.rps - before.rps) / max(after.rps, before.rps) > BUSY
                    before = after
                    if not busy or attempt == 2:
                        break
                    print(f"  {row.name}, {connections} conn.: hello went from {measured.hello[0].rps:.0f} to "
                          f"{after.rps:.0f} req/s, the machine was busy: measuring again", flush=True)
                results.append(measured)
                print(f"  {row.name}, {connections} conn.: {portal.rps:.0f} req/s, {measured.ratio:.2f}× hello",
                      flush=True)
        return results


def _anonymous() -> requests.Session:
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    return http


def _demo_company(database_url: str) -> str:
    from portal.models import Enterprise

    engine = create_engine(database_url)
    with Session(engine) as session:
        public_id = session.scalar(select(Enterprise.public_id).where(Enterprise.uscc == DEMO_COMPANY_USCC))
    engine.dispose()
    return public_id


def matching_ratio(database_url: str, repeat: int = 5) -> tuple[float, float, int]:
    """(bare SELECT seconds, matcher seconds, enterprises) on the scaled district."""
    from bench.matching import time_matcher
    from portal.models import Enterprise

    engine = create_engine(database_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Enterprise))
        bare, matcher, _ = time_matcher(session, repeat)
    engine.dispose()
    return bare, matcher, count


# --- the table ----------------------------------------------------------------------------------


def print_table(results: list[Measured], matching: tuple[float, float, int] | None) -> bool:
    header = f"{'row':<26} {'conns':>5} {'req/s':>8} {'×hello':>7} {'p99 ms':>8} {'×hello':>7} {'bytes':>8}  " \
             f"{'target':<31} ok"
    print("\n" + header)
    print("-" * len(header))
    shown_hello = set()
    all_ok = True
    by_row = {(m.row.name, m.connections): m for m in results}
    against = []  # (row, its reference), printed under the table
    for m in results:
        if m.connections not in shown_hello:
            shown_hello.add(m.connections)
            same = [r for r in results if r.connections == m.connections]
            rps = sum(r.hello_rps for r in same) / len(same)
            p99 = sum(r.hello_p99 for r in same) / len(same)
            print(f"{'hello (baseline, mean)':<26} {m.connections:>5} {rps:>8.0f} {'':>7} {p99:>8.2f}")
        size = f"{m.bytes / KB:>6.1f}KB" if m.bytes is not None else f"{'—':>8}"
        reference = by_row.get((m.row.against, m.connections))
        if m.row.target is None:
            target = "none: a reference"
        elif m.row.against is not None:
            target = f"≥{m.row.target}×, p99 ≤{P99_TARGET:g}× of {m.row.against.removesuffix(' (reference)')}"
            against.append((m, reference))
        else:
            target = f"≥{m.row.target}× req/s, p99 ≤{P99_TARGET:g}×" + (", ≤60KB" if m.bytes is not None else "")
        errors = f"  ({m.portal.errors} errors)" if m.portal.errors else ""
        ok = m.meets_target(reference)
        all_ok &= ok
        print(f"{m.row.name:<26} {m.connections:>5} {m.portal.rps:>8.0f} {m.ratio:>7.2f} {m.portal.p99_ms:>8.2f} "
              f"{m.p99_ratio:>7.2f} {size}  {target:<31} {'✓' if ok else '✗'}{errors}")
    for m, reference in against:
        if reference is None:
            print(f"\n{m.row.name}, {m.connections} conn.: {m.row.against} was not measured")
            continue
        ratio, p99_ratio = m.ratios_to(reference)
        print(f"\n{m.row.name} against {m.row.against}, {m.connections} conn.: {ratio:.2f}× req/s, "
              f"p99 {p99_ratio:.2f}×", end="")
    if against:
        print()
    if matching is not None:
        bare, matcher, count = matching
        ok = matcher / bare <= MATCHING_TARGET
        all_ok &= ok
        print(f"\npolicy matching over {count:,} enterprises: SQL matcher {matcher * 1000:.0f} ms, bare SELECT "
              f"{bare * 1000:.0f} ms: {matcher / bare:.2f}× (target ≤{MATCHING_TARGET:g}×) {'✓' if ok else '✗'}")
    return all_ok


def rows_named(only: str) -> list[Row]:
    """The rows `only` names, separated by commas. A name holding a comma of its own ("citizen
    home, signed in") is matched whole before any shorter name it begins with."""
    rest, chosen = f",{only},", set()
    for row in sorted(ROWS, key=lambda r: -len(r.name)):
        whole = re.compile(rf",\s*{re.escape(row.name)}\s*(?=,)")
        if whole.search(rest):
            chosen.add(row.name)
            rest = whole.sub(",", rest)
    unknown = [part.strip() for part in rest.split(",") if part.strip()]
    if unknown or not chosen:
        raise SystemExit(f"no row named {unknown or [only]}; rows: {'; '.join(r.name for r in ROWS)}")
    chosen |= {row.against for row in ROWS if row.name in chosen and row.against}  # measured with its reference
    return [row for row in ROWS if row.name in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)),
                        help="seconds of load per measurement (default 10, or $BENCH_DURATION)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--only", help="comma-separated row names (default: every row)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("PORTAL_THREADS", 1)))
    parser.add_argument("--serve", action="store_true", help="start the servers, sign in, print wrk commands, wait")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does it)")
    rows = rows_named(args.only) if args.only else ROWS

    print(f"The portal against a bare Flask app: the demo district plus {RESIDENTS:,} residents, "
          f"{ENTERPRISES:,} enterprises and {CASES:,} cases; gunicorn with {args.workers} workers × "
          f"{args.threads} threads for each, {os.cpu_count()} cores; wrk for {args.duration:g} s a row", flush=True)
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch, \
            district_copy(Path(scratch), log=lambda m: print(m, flush=True)) as url:
        bench = Bench(args, Path(scratch), url)
        try:
            bench.start(rows)
            if args.serve:
                _serve(bench, rows)
                return
            results = bench.run(rows)
        finally:
            bench.stop()
        matching = matching_ratio(url) if not args.only else None
    if not print_table(results, matching):
        print("\nSome rows miss their target (✗).")
        sys.exit(1)


def _serve(bench: Bench, rows: list[Row]) -> None:
    lua = HERE / "wrk"
    lean = f"lean page: {bench.lean.base}/   " if bench.lean.process is not None else ""
    if bench.lean_refresh.process is not None:
        lean += f"lean refresh: {bench.lean_refresh.base}/oidc/token   "
    print(f"\nhello: {bench.hello.base}/   portal: {bench.portal.base}/   {lean}(Ctrl-C stops them)")
    for row in rows:
        if row.script != "page":
            continue
        cookie = bench.cookie(row.who) if row.server == "portal" else ""
        print(f"\n# {row.name}\nBENCH_LUA_DIR={lua} BENCH_USER_AGENT='{USER_AGENT}' BENCH_COOKIE='{cookie}' "
              f"wrk -t1 -c1 -d10s -s {lua}/page.lua '{bench.url(row)}'")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # kill, like Ctrl-C, stops the servers
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
