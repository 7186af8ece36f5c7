"""`python -m bench.load`: see the package's docstring (bench/load/__init__.py)."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from bench.load.cluster import Cluster, ClusterError
from bench.load.scenarios import SCENARIOS, Settings, arrive, report, run_scenario


def _stop_on_sigterm(_signum, _frame):
    raise SystemExit(143)  # leaves the `with Cluster` block: everything started is stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--scenario", action="append", choices=SCENARIOS,
                        help="run only this scenario (repeatable); all four by default, in this order: "
                             + ", ".join(SCENARIOS))
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per scenario (60)")
    parser.add_argument("--users", type=int, default=32, help="simulated people at once (32, at most 32)")
    parser.add_argument("--max-submissions", type=int, default=5000, help="submissions per scenario at most (5000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and its logs")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 32:
        parser.error("--users must be between 1 and 32 (the load accounts)")
    settings = Settings(duration=args.duration, users=args.users, max_submissions=args.max_submissions)
    chosen = [name for name in SCENARIOS if name in (args.scenario or SCENARIOS)]
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    run_id = f"load{int(time.time()) % 1000000:06d}"
    results = []
    try:
        with Cluster(workers_per_node=args.workers, threads_per_worker=args.threads, keep=args.keep,
                     log=lambda line: print(line, flush=True)) as cluster:
            crowd, took = arrive(cluster, settings)
            print(f"{len(crowd)} people signed in through the sign-in form in {took:.0f} s", flush=True)
            for name in chosen:
                outcome = run_scenario(cluster, crowd, name, run_id, settings)
                print(report(outcome, settings), flush=True)
                results.append((name, outcome.verdict.passed))
                if not outcome.verdict.passed:
                    cluster.failed = True  # keep the logs
    except ClusterError as error:
        print(f"could not run the load test: {error}", file=sys.stderr, flush=True)
        return 2
    print("== summary: " + ", ".join(f"{name} {'PASS' if ok else 'FAIL'}" for name, ok in results), flush=True)
    passed = sum(ok for _name, ok in results)
    print(f"load: {passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if all(ok for _name, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
