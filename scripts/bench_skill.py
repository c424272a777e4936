"""Benchmark whole /skill turns (parse → lock → load → advance → save → render) in-process.

    .venv/bin/python scripts/bench_skill.py [--n 2000] [--redis-url redis://127.0.0.1:6379/0]

Each simulated customer goes: greeting → 그 밖의 문의 → a too-short answer → a real answer (handoff) →
처음으로, so every turn reads and writes the session. Reports turns/s and latency percentiles for the
in-memory store and (if reachable) Redis; the Redis keys it writes use a unique prefix and are deleted.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from uuid import uuid4

import redis

from app import create_app

SCRIPT = ["안녕하세요", "그 밖의 문의", "?", "영수증을 다시 받고 싶어요", "처음으로"]


def payload(utterance: str, user: str) -> dict[str, object]:
    return {
        "intent": {"id": "a" * 24, "name": "폴백 블록"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "utterance": utterance,
            "lang": "ko",
            "user": {"id": user, "type": "botUserKey", "properties": {"botUserKey": user}},
            "params": {"surface": "Kakaotalk.plusfriend"},
        },
        "bot": {"id": "b" * 24, "name": "CS"},
        "action": {"id": "c" * 24, "name": "skill", "params": {}, "detailParams": {}, "clientExtra": {}},
        "contexts": [],
    }


def run(label: str, config: dict[str, object], n: int) -> None:
    app = create_app(config)
    client = app.test_client()
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        user = f"{i // len(SCRIPT):066x}"
        body = payload(SCRIPT[i % len(SCRIPT)], user)
        t0 = time.perf_counter()
        response = client.post("/skill", json=body)
        latencies.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<8} {n / elapsed:8.0f} turns/s   p50 {q[49]:6.2f} ms   p95 {q[94]:6.2f} ms   "
        f"p99 {q[98]:6.2f} ms   max {max(latencies):6.2f} ms"
    )
    app.extensions["cs_bot"].store.close()


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--n", type=int, default=2000, help="number of turns per store")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    run("memory", {}, args.n)
    client = redis.Redis.from_url(args.redis_url, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        print(f"redis    skipped: {args.redis_url} does not answer ({exc})")
        return
    prefix = f"csbot-bench:{uuid4().hex}:"
    try:
        run("redis", {"redis_url": args.redis_url, "redis_prefix": prefix}, args.n)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


if __name__ == "__main__":
    main()
