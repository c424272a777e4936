"""`cs-bot report` and `cs-bot graph`: read the events (Redis stream, or a JSON-lines file), build the
report, write it (terminal, CSV, PNG) or draw the guides."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from app.config import Settings
from app.engine.catalog import Catalog
from app.insight.events import Event
from app.insight.report import SEOUL, Report, build_report

DEFAULT_DAYS = 7


class Unusable(Exception):
    """Something the command cannot work with (one line for the terminal)."""


def period(start: str | None, end: str | None, today: date | None = None) -> tuple[float, float]:
    """[first day 00:00, day after the last day 00:00) in Asia/Seoul, as Unix times."""
    today = today or datetime.now(SEOUL).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as exc:
        raise Unusable(f"dates are YYYY-MM-DD: {exc}") from exc
    if first > last:
        raise Unusable(f"--from {first} is after --to {last}")
    midnight = datetime.min.time()
    begin = datetime.combine(first, midnight, SEOUL)
    finish = datetime.combine(last + timedelta(days=1), midnight, SEOUL)
    return begin.timestamp(), finish.timestamp()


def read_events_file(path: Path) -> Iterator[Event]:
    """One JSON object per line: an event's fields (Event.to_fields)."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield Event.from_fields(json.loads(line))
                except (ValueError, KeyError) as exc:
                    raise Unusable(f"{path}:{number}: not an event ({exc})") from exc


def load_events(settings: Settings, events_file: Path | None, start: float, end: float) -> list[Event]:
    """Events from `start` to a session TTL past `end` (so journeys that started in time can end)."""
    until = end + settings.session_ttl_seconds + 1
    if events_file is not None:
        if not events_file.is_file():
            raise Unusable(f"no such file: {events_file}")
        return [e for e in read_events_file(events_file) if start <= e.at < until]
    if not settings.redis_url:
        raise Unusable(
            "without REDIS_URL the events live in the server's memory: open 통계 in the agent inbox, "
            "or pass --events FILE"
        )
    from redis.exceptions import RedisError

    from app.insight.recorder import build_event_log

    try:
        return list(build_event_log(settings).read(start, until))
    except RedisError as exc:
        raise Unusable(f"cannot read events from Redis: {exc}") from exc


def make_report(settings: Settings, catalog: Catalog, args: argparse.Namespace) -> Report:
    start, end = period(args.start, args.end)
    unknown = [f for f in args.flow or () if f not in catalog.flows]
    if unknown:
        raise Unusable(f"no such guide: {', '.join(unknown)} (guides: {', '.join(catalog.flows)})")
    events = load_events(settings, args.events, start, end)
    ttl = settings.session_ttl_seconds
    return build_report(catalog, events, start=start, end=end, ttl=ttl, now=time.time(), flows=args.flow)


def _catalog(settings: Settings) -> Catalog:
    from app.engine.loader import load_catalog

    return load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)


def run_report(settings: Settings, args: argparse.Namespace) -> int:
    from app.handoff.labels import load_labels
    from app.insight.tables import format_report, write_csv

    catalog = _catalog(settings)
    try:
        report = make_report(settings, catalog, args)
    except Unusable as exc:
        print(f"cs-bot report: {exc}", file=sys.stderr)
        return 2
    labels, _ = load_labels(settings.skills_dir)
    print(format_report(catalog, report, reason_label=labels.reason), end="")
    if args.output is not None:
        from app.insight.charts import write_charts

        written = write_csv(catalog, report, args.output) + write_charts(catalog, report, args.output)
        print(f"\nwrote {len(written)} files to {args.output}: " + ", ".join(p.name for p in written))
    return 0


def run_graph(settings: Settings, args: argparse.Namespace) -> int:
    from app.insight.graph import write_graphs

    catalog = _catalog(settings)
    guides = [f for f in catalog.flows if f != catalog.bot.home.split(".", 1)[0]]
    flows = args.flow or guides
    unknown = [f for f in flows if f not in catalog.flows]
    if unknown:
        print(f"cs-bot graph: no such guide: {', '.join(unknown)}", file=sys.stderr)
        return 2
    traffic = None
    if args.traffic:
        report_args = argparse.Namespace(
            start=args.traffic[0], end=args.traffic[1], flow=flows, events=args.events
        )
        try:
            traffic = make_report(settings, catalog, report_args).flows
        except Unusable as exc:
            print(f"cs-bot graph: {exc}", file=sys.stderr)
            return 2
    written = write_graphs(catalog, flows, args.output, traffic)
    print(f"wrote {len(written)} files to {args.output}: " + ", ".join(p.name for p in written))
    return 0
