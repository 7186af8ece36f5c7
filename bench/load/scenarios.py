"""The four scenarios: the same load, with nothing, a killed worker, a restarted database or a
stopped Redis a third of the way in; each checked against the database and the SMTP sink."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.load.checks import Database, Verdict, check_receipts, check_submissions
from bench.load.cluster import PASSWORD, Cluster, ClusterError
from bench.load.people import people
from bench.load.users import Budget, Recorder, VirtualUser

SCENARIOS = ("steady", "kill-worker", "restart-postgres", "redis-down")


@dataclass
class Settings:
    duration: float = 60.0
    users: int = 32
    max_submissions: int = 5000  # per scenario
    double_click_ratio: float = 0.05
    retry_window: float = 30.0  # how long a client keeps resending an unanswered submission after the end
    receipts_timeout: float = 120.0


@dataclass
class Outcome:
    name: str
    recorder: Recorder
    verdict: Verdict
    facts: dict = field(default_factory=dict)


Fault = Callable[[Cluster, Settings, Recorder, dict], Awaitable[None]]


async def _no_fault(_cluster, _settings, _recorder, _facts) -> None:
    return None


async def _kill_worker(cluster: Cluster, settings: Settings, recorder: Recorder, facts: dict) -> None:
    await asyncio.sleep(settings.duration / 3)
    node = cluster.nodes[0]
    facts["workers_before"] = node.worker_pids()
    facts["killed_at"] = recorder.now()
    victim, after = await asyncio.to_thread(cluster.kill_worker, node)
    facts["victim"], facts["workers_after"] = victim, after
    facts["replaced_at"] = recorder.now()


async def _restart_postgres(cluster: Cluster, settings: Settings, recorder: Recorder, facts: dict) -> None:
    await asyncio.sleep(settings.duration / 3)
    facts["postmaster_before"] = cluster.postmaster_pid()
    facts["down_at"] = recorder.now()
    facts["took"] = await asyncio.to_thread(cluster.restart_postgres)
    facts["back_at"] = recorder.now()
    facts["postmaster_after"] = cluster.postmaster_pid()


async def _redis_down(cluster: Cluster, settings: Settings, recorder: Recorder, facts: dict) -> None:
    await asyncio.sleep(settings.duration / 3)
    database = Database(cluster.database_url)
    watching = threading.Event()
    seen: list[int] = []

    def watch_pending() -> None:  # the jobs Redis could not take wait in pending_job
        while not watching.is_set():
            with contextlib.suppress(Exception):  # a figure for the report, never a reason to stop
                seen.append(database.pending_jobs())
            watching.wait(1)

    facts["down_at"] = down = recorder.now()
    await asyncio.to_thread(cluster.stop_redis)
    watcher = threading.Thread(target=watch_pending, daemon=True)
    watcher.start()
    await asyncio.sleep(settings.duration / 3)
    # Stay down (a little longer if need be) until someone has signed in and filed meanwhile.
    for _ in range(60):
        if any(s.ok and s.at > down for s in recorder.sign_ins) and \
                any(s.acknowledged and s.at > down for s in recorder.submissions):
            break
        await asyncio.sleep(0.5)
    watching.set()
    watcher.join()
    database.close()
    facts["pending_while_down"] = max(seen, default=0)
    await asyncio.to_thread(cluster.start_redis)
    facts["up_at"] = recorder.now()


FAULTS: dict[str, Fault] = {
    "steady": _no_fault,
    "kill-worker": _kill_worker,
    "restart-postgres": _restart_postgres,
    "redis-down": _redis_down,
}


def arrive(cluster: Cluster, settings: Settings) -> tuple[list[VirtualUser], float]:
    """Everyone signs in through the sign-in form before the first scenario; returns the people and
    how long that took."""
    nodes = [node.url for node in cluster.nodes]
    crowd = [VirtualUser(person, nodes, PASSWORD, seed=person.index, double_click_ratio=settings.double_click_ratio)
             for person in people(settings.users)]

    async def everyone() -> list[bool]:
        until = time.monotonic() + 240
        return await asyncio.gather(*(user.arrive(Recorder(), until) for user in crowd))

    started = time.monotonic()
    arrived = asyncio.run(everyone())
    if not all(arrived):
        raise ClusterError(f"{arrived.count(False)} of {len(crowd)} people could not sign in")
    return crowd, time.monotonic() - started


async def drive(cluster: Cluster, crowd: list[VirtualUser], name: str, prefix: str,
                settings: Settings) -> tuple[Recorder, dict]:
    recorder, facts = Recorder(), {}
    start = time.monotonic()
    until = start + settings.duration
    budget = Budget(settings.max_submissions)
    # A quarter of the people sign out and in again, a different quarter in each scenario, at
    # moments spread over the first part of the fault (which starts a third of the way in).
    turn = SCENARIOS.index(name) % 4
    again = [user for user in crowd if user.person.index % 4 == turn]
    moments = {user.person.index: start + settings.duration * (0.34 + 0.2 * k / max(1, len(again) - 1))
               for k, user in enumerate(again)}
    fault = asyncio.create_task(FAULTS[name](cluster, settings, recorder, facts))
    await asyncio.gather(*(
        user.run(recorder, prefix, until, until + settings.retry_window, budget, moments.get(user.person.index))
        for user in crowd
    ))
    recorder.ended = min(recorder.now(), settings.duration)
    await asyncio.wait_for(fault, timeout=settings.duration + 180)
    return recorder, facts


def run_scenario(cluster: Cluster, crowd: list[VirtualUser], name: str, run_id: str, settings: Settings) -> Outcome:
    prefix = f"{run_id}-{name}"
    masters = [node.process.pid for node in cluster.nodes]
    restarts = len(cluster.worker_restarts)
    recorder, facts = asyncio.run(drive(cluster, crowd, name, prefix, settings))
    verdict = Verdict()
    database = Database(cluster.database_url)
    try:
        references = check_submissions(recorder, database, prefix, verdict)
        check_receipts(database, references, cluster.smtp, settings.receipts_timeout, verdict,
                       repeats_allowed=name == "restart-postgres")
    finally:
        database.close()
    verdict.require(all(node.process.poll() is None for node in cluster.nodes)
                    and [node.process.pid for node in cluster.nodes] == masters,
                    "a gunicorn node stopped or was restarted")
    answers = Counter(s.outcome for s in recorder.samples)
    _specific_checks(name, recorder, facts, answers, verdict)
    if len(cluster.worker_restarts) > restarts:
        verdict.notes.append(f"the job worker exited {len(cluster.worker_restarts) - restarts} times and was started "
                             "again, as its systemd unit would (Restart=always)")
    return Outcome(name, recorder, verdict, facts)


def _errors(answers: Counter) -> Counter:
    return Counter({kind: n for kind, n in answers.items() if not (kind.isdigit() and kind[0] in "23")})


def _specific_checks(name: str, recorder: Recorder, facts: dict, answers: Counter, verdict: Verdict) -> None:
    errors = _errors(answers)
    if name == "steady":
        verdict.require(not errors, f"errors without any fault: {dict(errors)}")
    elif name == "kill-worker":
        victim = facts.get("victim")
        verdict.require(victim is not None and victim not in facts.get("workers_after", [victim])
                        and len(facts.get("workers_after", [])) == len(facts.get("workers_before", [])),
                        "gunicorn did not replace the killed worker")
        new = sorted(set(facts.get("workers_after", [])) - set(facts.get("workers_before", [])))
        verdict.notes.append(f"killed worker {victim} of node A at {facts.get('killed_at', 0):.1f} s; "
                             f"gunicorn replaced it by {new}")
    elif name == "restart-postgres":
        verdict.require(facts.get("postmaster_before") != facts.get("postmaster_after"),
                        "PostgreSQL was not restarted")
        failed = Counter(s.request for s in recorder.samples if s.outcome == "500")
        verdict.require(not failed, f"{sum(failed.values())} answers were 500s, not clean 503s: "
                                    + ", ".join(f"{request} x{n}" for request, n in failed.most_common()))
        after = [s for s in recorder.submissions if s.acknowledged and s.at > facts.get("back_at", 0)]
        verdict.require(bool(after), "no submission went through after PostgreSQL came back")
        verdict.notes.append(f"PostgreSQL restarted at {facts.get('down_at', 0):.1f} s in {facts.get('took', 0):.1f} s "
                             f"(postmaster {facts.get('postmaster_before')} -> {facts.get('postmaster_after')}); "
                             f"{answers.get('503', 0)} clean 503s; {len(after)} submissions acknowledged after it, "
                             "the nodes never restarted")
    elif name == "redis-down":
        down, up = facts.get("down_at", 0), facts.get("up_at", 0)
        sign_ins = [s for s in recorder.sign_ins if down <= s.at <= up and s.ok]
        filed = [s for s in recorder.submissions if down <= s.at <= up and s.acknowledged]
        verdict.require(bool(sign_ins), "nobody could sign in while Redis was down")
        verdict.require(bool(filed), "nothing could be filed while Redis was down")
        verdict.require(facts.get("pending_while_down", 0) > 0, "no job waited in pending_job while Redis was down")
        verdict.notes.append(f"Redis down from {down:.1f} s to {up:.1f} s: {len(sign_ins)} sign-ins and "
                             f"{len(filed)} filings went through; up to {facts.get('pending_while_down', 0)} jobs "
                             "waited in pending_job, then the worker ran them")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[min(98, max(0, round(q) - 1))]


def report(outcome: Outcome, settings: Settings) -> str:
    recorder = outcome.recorder
    elapsed = recorder.ended or settings.duration
    in_run = [s for s in recorder.samples if s.at <= elapsed]
    latencies = sorted(s.latency * 1000 for s in in_run)
    submit = sorted(s.latency * 1000 for s in in_run if s.what == "submit")
    answers = Counter(s.outcome for s in recorder.samples)
    errors = _errors(answers)
    acknowledged = [s for s in recorder.submissions if s.acknowledged]
    doubles = [s for s in recorder.submissions if s.double]
    retried = [s for s in recorder.submissions if len(s.answers) > (2 if s.double else 1)]
    given_up = [s for s in recorder.submissions if not s.acknowledged]
    lines = [
        f"== {outcome.name}: {elapsed:.0f} s, {settings.users} simulated people, 2 nodes",
        f"requests: {len(in_run)} in {elapsed:.0f} s = {len(in_run) / elapsed:.1f} req/s; "
        f"latency p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms "
        f"(submissions: p50 {percentile(submit, 50):.0f} ms, p99 {percentile(submit, 99):.0f} ms)",
        f"submissions: {len(recorder.submissions)} sent, {len(acknowledged)} acknowledged, {len(doubles)} double "
        f"clicks, {len(retried)} sent again with the same token, {len(given_up)} never acknowledged",
        f"sign-ins: {sum(s.ok for s in recorder.sign_ins)} of {len(recorder.sign_ins)} went through",
        "errors: " + (", ".join(f"{kind} x{n}" for kind, n in errors.most_common()) if errors else "none"),
        *outcome.verdict.notes,
    ]
    lines += [f"  FAIL: {failure}" for failure in outcome.verdict.failures]
    lines.append("PASS" if outcome.verdict.passed else "FAIL")
    return "\n".join(lines)
