"""Simulated residents and enterprise staff: asyncio and httpx, through the real pages and forms.

Each one signs in through the sign-in form, then, until the scenario ends, opens the form to file
a request (a resident) or an appeal (staff, for their company), sends it with its CSRF token and
one-time token and a unique marker as its title, and opens the list and the case page it was sent
to. People sign in once, before the first scenario, and keep their session cookie from scenario to
scenario; in each scenario a quarter of them sign out and in again while its fault is in force.
Requests alternate between the two nodes.

A submission that is not answered (a 5xx, a broken connection, a timeout) is sent again with the
same one-time token until it is answered, as a browser's retry would: whichever copy went through,
the case exists once, and a copy that finds its token used is shown the first one's result. Now and
then a submission is a double click: two copies at once, to the two nodes.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from dataclasses import dataclass, field
from html import unescape

import httpx

from bench.load.people import Person

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
CATEGORY = re.compile(r'<option value="(\d+)"')
COMPANY = re.compile(r'href="/enterprise/c/([0-9a-f]{32})"')
CASE_PAGE = re.compile(r"^/(?:citizen/cases|enterprise/c/[0-9a-f]{32}/appeals)/[0-9a-f]{32}$")
ALREADY_SENT = "You had already sent this form"
RETRYABLE = {"500", "502", "503", "504", "429"}


@dataclass
class Sample:
    at: float  # seconds since the scenario started
    what: str  # "page", "submit", "sign-in"
    latency: float
    outcome: str  # the status code, or the exception's name
    request: str = ""  # "POST /citizen/requests/new"


@dataclass
class Submission:
    marker: str
    kind: str  # "request" or "appeal"
    person: int
    at: float
    double: bool = False
    answers: list[str] = field(default_factory=list)  # every copy's every attempt
    acknowledged: bool = False
    given_up: bool = False
    location: str | None = None


@dataclass
class SignIn:
    at: float
    ok: bool


class Recorder:
    """What happened, as the clients saw it."""

    def __init__(self):
        self.started = time.monotonic()
        self.samples: list[Sample] = []
        self.submissions: list[Submission] = []
        self.sign_ins: list[SignIn] = []
        self.ended: float | None = None

    def now(self) -> float:
        return time.monotonic() - self.started


class Budget:
    """At most `count` submissions in all: the run is bounded in count as well as in time."""

    def __init__(self, count: int):
        self.left = count

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class Unanswered(Exception):  # noqa: N818 - what the client saw
    pass


class VirtualUser:
    """One person, kept from scenario to scenario with their cookies (signed in once at the start)."""

    def __init__(self, person: Person, nodes: list[str], password: str, seed: int,
                 double_click_ratio: float = 0.05):
        self.person, self.nodes, self.password = person, nodes, password
        self.rng = random.Random(seed)
        self.turn = person.index % len(nodes)
        self.double_click_ratio = double_click_ratio
        self.cookies = httpx.Cookies()
        self.filed = 0
        self.company: str | None = None
        self.signed_in_at: float | None = None
        self.http: httpx.AsyncClient | None = None
        self.recorder = Recorder()
        self.prefix = ""

    @contextlib.asynccontextmanager
    async def _client(self, recorder: Recorder):
        """A client for one scenario (one event loop), with the person's cookies and address."""
        headers = {"X-Forwarded-For": self.person.address, "Accept-Language": "en",
                   "User-Agent": f"portal-load/{self.person.kind}-{self.person.index}"}
        self.recorder = recorder
        # A connection per request: reusing a kept-alive one just as gunicorn closes it (after 2 s
        # idle) would fail for reasons of the client's own making, not the portal's.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(headers=headers, cookies=self.cookies, timeout=httpx.Timeout(30.0, connect=5.0),
                                     limits=limits, follow_redirects=False) as self.http:
            try:
                yield
            finally:
                self.cookies = self.http.cookies

    # --- plumbing ------------------------------------------------------------------------------

    def _node(self) -> str:
        self.turn = (self.turn + 1) % len(self.nodes)
        return self.nodes[self.turn]

    async def _request(self, what: str, method: str, path: str, node: str | None = None, **kwargs):
        """One request, recorded; returns the response, or raises Unanswered with the reason."""
        started = time.monotonic()
        try:
            response = await self.http.request(method, (node or self._node()) + path, **kwargs)
        except httpx.HTTPError as error:
            self.recorder.samples.append(Sample(self.recorder.now(), what, time.monotonic() - started,
                                                type(error).__name__, f"{method} {path}"))
            raise Unanswered(type(error).__name__) from None
        self.recorder.samples.append(Sample(self.recorder.now(), what, time.monotonic() - started,
                                            str(response.status_code), f"{method} {path}"))
        if str(response.status_code) in RETRYABLE:
            raise Unanswered(str(response.status_code))
        return response

    async def _page(self, path: str, deadline: float) -> httpx.Response | None:
        """A page, trying again (on the other node) while it is not answered, until `deadline`."""
        while time.monotonic() < deadline:
            try:
                response = await self._request("page", "GET", path)
            except Unanswered:
                await asyncio.sleep(0.3 + self.rng.random() * 0.4)
                continue
            return response
        return None

    # --- signing in ----------------------------------------------------------------------------

    async def sign_in(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            page = await self._page("/auth/login", deadline)
            if page is None:
                break
            csrf = CSRF.search(page.text)
            try:
                response = await self._request("sign-in", "POST", "/auth/login", data={
                    "username": self.person.mobile, "password": self.password, "next": "",
                    "csrf_token": csrf.group(1) if csrf else "",
                })
            except Unanswered:
                self.recorder.sign_ins.append(SignIn(self.recorder.now(), False))
                await asyncio.sleep(0.5 + self.rng.random())
                continue
            ok = response.status_code == 302 and "/auth/" not in response.headers.get("location", "")
            self.recorder.sign_ins.append(SignIn(self.recorder.now(), ok))
            if ok:
                self.signed_in_at = time.monotonic()
                return True
            await asyncio.sleep(1 + self.rng.random())
        return False

    async def sign_out(self, deadline: float) -> None:
        page = await self._page("/auth/account", deadline)
        csrf = CSRF.search(page.text) if page is not None else None
        if csrf:
            with contextlib.suppress(Unanswered):
                await self._request("page", "POST", "/auth/logout", data={"csrf_token": csrf.group(1)})
        self.signed_in_at = None

    # --- filing --------------------------------------------------------------------------------

    def _form_path(self) -> str:
        if self.person.kind == "resident":
            return "/citizen/requests/new"
        return f"/enterprise/c/{self.company}/appeals/new"

    def _list_path(self) -> str:
        return "/citizen/cases" if self.person.kind == "resident" else f"/enterprise/c/{self.company}/appeals"

    async def _find_company(self, deadline: float) -> bool:
        page = await self._page("/enterprise/", deadline)
        found = COMPANY.search(page.text) if page is not None else None
        self.company = found.group(1) if found else None
        return self.company is not None

    async def _send(self, path: str, data: dict, submission: Submission, retry_until: float,
                    node: str | None = None) -> None:
        """One copy of the form, sent again with the same tokens until it is answered."""
        while True:
            try:
                response = await self._request("submit", "POST", path, node=node, data=data)
            except Unanswered as reason:
                submission.answers.append(str(reason))
                if time.monotonic() >= retry_until:
                    submission.given_up = not submission.acknowledged
                    return
                await asyncio.sleep(0.3 + self.rng.random() * 0.7)
                node = None  # the other node next time
                continue
            location = response.headers.get("location", "")
            submission.answers.append(str(response.status_code))
            if response.status_code in (302, 303) and CASE_PAGE.match(location):
                submission.acknowledged, submission.location = True, location
            elif response.status_code == 200 and ALREADY_SENT in response.text:
                submission.acknowledged = True
            return

    async def file_one(self, deadline: float, retry_until: float) -> Submission | None:
        form_path = self._form_path()
        page = await self._page(form_path, deadline)
        if page is not None and "/auth/login" in page.headers.get("location", ""):
            self.signed_in_at = None  # signed out meanwhile: sign in again first
        if page is None or page.status_code != 200:
            return None
        csrf, token = CSRF.search(page.text), FORM_TOKEN.search(page.text)
        categories = CATEGORY.findall(page.text)
        if not (csrf and token and categories):
            return None
        self.filed += 1
        marker = f"{self.prefix}-{self.person.index:02d}-{self.filed:04d}"
        data = {
            "csrf_token": unescape(csrf.group(1)), "form_token": unescape(token.group(1)),
            "category": self.rng.choice(categories), "title": marker,
            "body": f"Load test {marker}: the street light outside number {self.rng.randint(1, 200)} is out.",
        }
        submission = Submission(marker, "request" if self.person.kind == "resident" else "appeal",
                                self.person.index, self.recorder.now())
        self.recorder.submissions.append(submission)
        if self.rng.random() < self.double_click_ratio:
            submission.double = True
            await asyncio.gather(*(self._send(form_path, data, submission, retry_until, node=node)
                                   for node in self.nodes))
        else:
            await self._send(form_path, data, submission, retry_until)
        return submission

    async def browse(self, submission: Submission | None, deadline: float) -> None:
        await self._page(self._list_path(), deadline)
        if submission is not None and submission.location:
            await self._page(submission.location, deadline)

    # --- the whole visit -----------------------------------------------------------------------

    async def arrive(self, recorder: Recorder, until: float) -> bool:
        """Sign in (people arrive over a few seconds: signing in is costly by design, argon2) and,
        for staff, find the company they act for."""
        await asyncio.sleep(self.person.index * 0.2)
        async with self._client(recorder):
            if not await self.sign_in(until):
                return False
            return self.person.kind != "staff" or await self._find_company(until)

    async def run(self, recorder: Recorder, prefix: str, until: float, retry_until: float, budget: Budget,
                  sign_again_at: float | None = None) -> None:
        """File, read and browse until `until`; sign out and in again once at `sign_again_at`."""
        self.prefix, self.filed = prefix, 0
        await asyncio.sleep(self.rng.uniform(0, 0.5))
        async with self._client(recorder):
            while time.monotonic() < until:
                if self.signed_in_at is None and not await self.sign_in(until):
                    break
                if self.person.kind == "staff" and self.company is None and not await self._find_company(until):
                    await asyncio.sleep(1)
                    continue
                if not budget.take():
                    break
                submission = await self.file_one(until, retry_until)
                await self.browse(submission, until)
                if sign_again_at is not None and time.monotonic() >= sign_again_at:
                    sign_again_at = None
                    await self.sign_out(until)
                await asyncio.sleep(self.rng.uniform(0.05, 0.3))
