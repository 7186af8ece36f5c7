"""Background jobs: one interface, `enqueue(job, *args, **kwargs)`, two ways to run them.

A job is an importable function taking plain (JSON) arguments. It runs inside an application
context of its own, uses `db.session` and commits what it changes. Enqueueing writes a row
(`pending_job`) in the caller's transaction, so a job exists exactly when the change that asked
for it was committed: a rolled-back request runs nothing, and a crash loses nothing.

- **Embedded** (no `REDIS_URL`): the job runs in the same process once the transaction commits —
  at the end of the request when enqueued during one (the response is already decided), at once
  otherwise. A failed job is retried with exponential backoff by `flask run-jobs` (cron), and
  after JOB_RETRIES retries it stays as a dead letter, listed for administrators on the desk.
- **Redis** (`REDIS_URL` set): after the commit the job goes onto the RQ queue and `flask worker`
  runs it, retrying with RQ's Retry and exponential intervals; jobs that fail every retry land in
  RQ's failed-job registry, the same dead-letter page. If Redis does not answer, the request still
  succeeds: the row stays in `pending_job`, a warning is logged, and the worker moves it onto the
  queue once Redis is back.

Each job carries the id of the request that enqueued it; its log lines carry the same id.
Periodic work (outbox delivery, escalation, webhooks, open data) is listed in `PERIODIC`: the
worker enqueues it on schedule, `flask run-jobs` runs it once (for cron in the embedded mode).
"""

from portal.jobs.core import (
    DeadJob,
    JobSettings,
    QueueStats,
    dead_jobs,
    delete_dead,
    drain_pending,
    enqueue,
    init_app,
    job_path,
    perform,
    queue_stats,
    redis_answers,
    requeue_dead,
    run_job,
)
from portal.jobs.periodic import PERIODIC, Periodic

__all__ = [
    "PERIODIC",
    "DeadJob",
    "JobSettings",
    "Periodic",
    "QueueStats",
    "dead_jobs",
    "delete_dead",
    "drain_pending",
    "enqueue",
    "init_app",
    "job_path",
    "perform",
    "queue_stats",
    "redis_answers",
    "requeue_dead",
    "run_job",
]
