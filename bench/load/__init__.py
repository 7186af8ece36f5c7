"""Load and fault test: the multi-node layout on loopback, under load, losing nothing.

    .venv/bin/python -m bench.load [--scenario NAME ...] [--duration 60] [--users 32]
                                   [--max-submissions 5000] [--workers 2] [--threads 4] [--keep]
    make load LOAD_ARGS="--duration 30"

What it starts, from a scratch directory /tmp/portal-load-*, on ports 18300-18399, and stops again
by process id whatever happens (Ctrl-C and SIGTERM included): PostgreSQL (initdb, as .ci/run does;
as the postgres user when run as root), Redis (Debian's redis-server, with an append-only file as a
deployment keeps), an SMTP server that keeps what it is sent, the database brought to this release
with `flask deploy` and the demo district (`flask seed-demo`) plus 24 residents and 8 members of
enterprise staff with accounts of their own, the RQ worker (`flask worker`, started again if it
exits, as its systemd unit would), and two gunicorn nodes (A on 18301, B on 18302) with the same
SECRET_KEY and database, each with --workers workers of --threads threads.

The people (bench/load/users.py) sign in through the sign-in form first, then, for --duration
seconds per scenario, file requests (residents) and appeals (staff, for their company) through the
real forms with their CSRF and one-time tokens and a unique marker as title, and read their lists
and case pages, alternating between the nodes; 5% of submissions are double clicks (two copies at
once, one to each node). An unanswered submission (5xx, broken connection, timeout) is sent again
with the same one-time token, as a browser retry would, until answered or 30 s after the end.

Scenarios, all four by default, in this order, each on the same cluster:

  steady            the load alone; any error fails it.
  kill-worker       a third of the way in, SIGKILL one gunicorn worker of node A; gunicorn must
                    replace it. Its requests in flight fail (counted as errors) and are retried.
  restart-postgres  a third of the way in, `pg_ctl restart -m fast`. Clients must see clean 503s
                    (a 500 fails it), the nodes recover without a restart (pool_pre_ping), and
                    submissions go through again afterwards.
  redis-down        from a third to two thirds of the way in, Redis is stopped. Sign-in and
                    filing must go on (the jobs they ask for wait in pending_job), and once Redis
                    is back the worker must run them.

After each scenario the database is compared with what the clients were told: every acknowledged
submission (a redirect to its case page, or the "already sent" answer) exists exactly once, none
that was never acknowledged exists, no case exists that no client sent; and every filing's receipt,
an email queued in the outbox and sent by the worker's job, reaches the SMTP server exactly once
(waiting up to 120 s for the worker). Only in restart-postgres may a receipt arrive twice, and it
is reported: one the SMTP server took just before the database went away could not be marked
sent, so it is sent again (email is delivered at least once).

Reading the output, per scenario:

  == redis-down: 60 s, 32 simulated people, 2 nodes
  requests: 1400 in 60 s = 23.3 req/s; latency p50 900 ms, p99 4100 ms (submissions: ...)
      every request the clients made during the scenario, and the median and 99th percentile of
      their latency; then the same for the form submissions alone.
  submissions: 380 sent, 380 acknowledged, 19 double clicks, 4 sent again with the same token, ...
      "sent again": submissions that had to be retried after a failure; "never acknowledged":
      still failing when the clients gave up (then they must not exist).
  errors: 503 x18, RemoteProtocolError x3
      every answer that was not a 2xx or 3xx, by status code or by the client's exception name
      (RemoteProtocolError/ReadError: the connection broke, as when a worker is killed).
  receipts: ...     the worker's emails, counted at the SMTP server.
  then what the fault did (the killed worker's pid and its replacement, the restart's length, how
  many jobs waited while Redis was down), any "FAIL: ..." line, and PASS or FAIL.

The last lines sum up: "load: 4 passed, 0 failed". The exit status is 0 when every scenario
passed, 1 when one failed, 2 when the cluster could not be started. The figures depend on the
machine (signing in is costly by design: argon2); only the checks decide PASS or FAIL. With --keep
(and always after a failure) the scratch directory stays, with every process's log.
"""
