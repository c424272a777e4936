"""Benchmark of free-text understanding (a script, not a test): routing time per message, start-up time
of the classifier for the shipped content, and memory it adds to a worker.

    .venv/bin/python scripts/bench_understanding.py [--repeat 5]

Targets (issue 9): median routing under 1 ms, classifier start-up under 1 s for the shipped content.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from pathlib import Path


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="start-up measurements (best and median)")
    args = parser.parse_args()

    rss_start = rss_kib()
    started = time.perf_counter()
    import sklearn.svm  # noqa: F401  (the import itself is part of what a worker pays once)

    import_seconds = time.perf_counter() - started
    rss_imported = rss_kib()

    from app.config import PROJECT_ROOT, load_settings
    from app.engine.loader import UNDERSTANDING_FILE, load_catalog, read_understanding, training_examples
    from app.understanding.evaluate import load_cases
    from app.understanding.training import train_router

    settings = load_settings()
    catalog = load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)
    understanding = read_understanding(settings.skills_dir)
    examples = training_examples(catalog.flows, catalog.files, understanding, UNDERSTANDING_FILE)

    trainings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        router = train_router(examples, understanding.thresholds, catalog.bot.home, understanding.greetings)
        trainings.append(time.perf_counter() - started)
    tracemalloc.start()
    router = train_router(examples, understanding.thresholds, catalog.bot.home, understanding.greetings)
    _, peak = tracemalloc.get_traced_memory()
    kept = tracemalloc.take_snapshot()
    tracemalloc.stop()
    kept_bytes = sum(stat.size for stat in kept.statistics("filename"))
    rss_trained = rss_kib()

    texts = [
        case.text
        for name in ("eval_set.yaml", "dev_set.yaml")
        for case in load_cases(PROJECT_ROOT / "tests" / "understanding" / name)
    ]
    for text in texts[:50]:  # warm up
        router.decide(text)
    timings = []
    for text in texts * 3:
        started = time.perf_counter()
        router.decide(text)
        timings.append(time.perf_counter() - started)
    timings.sort()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.3f} ms"

    print(f"training examples           {len(examples)} ({len(router.classifier.labels)} intents)")
    best, median = min(trainings), statistics.median(trainings)
    print(f"classifier start-up         best {best:.3f} s, median {median:.3f} s")
    print(
        f"routing per message         median {ms(statistics.median(timings))}, "
        f"p99 {ms(timings[int(len(timings) * 0.99)])}, max {ms(timings[-1])} ({len(timings)} messages)"
    )
    added = (rss_imported - rss_start) / 1024
    print(f"scikit-learn import         {import_seconds:.2f} s, +{added:.1f} MiB RSS")
    print(
        f"classifier memory           {kept_bytes / 2**20:.1f} MiB held after training "
        f"(peak {peak / 2**20:.1f} MiB while training)"
    )
    print(
        f"worker RSS                  {rss_start / 1024:.0f} → {rss_trained / 1024:.0f} MiB "
        "(Python + scikit-learn + content + trained classifier)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
