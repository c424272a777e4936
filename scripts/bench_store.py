"""Benchmark one open→load→save cycle of MemoryStore and RedisStore.

    .venv/bin/python scripts/bench_store.py [--redis-url URL] [--n N]

For each store: single-threaded, 8 threads on the same user (lock contention) and 8 threads on
distinct users. Reports ops/s and p50/p95/p99 latency of the whole cycle. Redis keys use a unique
prefix and are deleted at the end.
"""

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis

from app.session import LockTimeout, MemoryStore, SessionStore, store_from_url

THREADS = 8


def cycle(store: SessionStore, user_key: str) -> None:
    with store.open(user_key) as handle:
        state = handle.state or {"count": 0, "facts": {"station": "강남역 충전소"}, "path": []}
        state["count"] += 1
        handle.save(state)


def run(store: SessionStore, n: int, threads: int, user_of: Callable[[int], str]) -> dict[str, float]:
    """`n` cycles spread over `threads` threads; thread i uses `user_of(i)`."""
    latencies: list[float] = []
    timeouts = 0
    guard = threading.Lock()
    start = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        nonlocal timeouts
        mine: list[float] = []
        lost = 0
        start.wait()
        for _ in range(n // threads):
            began = time.perf_counter()
            try:
                cycle(store, user_of(index))
            except LockTimeout:
                lost += 1
            mine.append(time.perf_counter() - began)
        with guard:
            latencies.extend(mine)
            timeouts += lost

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "ops": len(latencies) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "timeouts": timeouts,
    }


def bench(name: str, store: SessionStore, n: int) -> None:
    run_id = uuid4().hex[:8]
    scenarios: list[tuple[str, int, Callable[[int], str]]] = [
        ("1 thread", 1, lambda i: f"solo-{run_id}"),
        (f"{THREADS} threads, same user", THREADS, lambda i: f"shared-{run_id}"),
        (f"{THREADS} threads, distinct users", THREADS, lambda i: f"user-{run_id}-{i}"),
    ]
    for label, threads, user_of in scenarios:
        cycle(store, user_of(0))  # warm-up: connection, script cache
        result = run(store, n, threads, user_of)
        print(
            f"{name:<6} {label:<28} {result['ops']:>9.0f} ops/s   p50 {result['p50']:6.2f} ms   "
            f"p95 {result['p95']:6.2f} ms   p99 {result['p99']:6.2f} ms   lock timeouts {result['timeouts']}"
        )


def cleanup(url: str, prefix: str) -> int:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--n", type=int, default=4000, help="cycles per scenario (default 4000)")
    args = parser.parse_args()

    print(f"{args.n} open→load→save cycles per scenario\n")
    bench("memory", MemoryStore(lock_wait_seconds=4.0), args.n)
    prefix = f"csbot-bench:{uuid4().hex}:"
    store = store_from_url(args.redis_url, lock_wait_seconds=4.0, prefix=prefix)
    if not store.ping():
        sys.exit(f"Redis at {args.redis_url} does not answer")
    try:
        bench("redis", store, args.n)
    finally:
        store.close()
        print(f"\ncleaned up {cleanup(args.redis_url, prefix)} Redis keys under {prefix}")


if __name__ == "__main__":
    main()
