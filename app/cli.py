"""`cs-bot`: run the server, check the content, chat in a terminal, replay payload fixtures."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import Settings, load_settings

if TYPE_CHECKING:
    from app.engine.catalog import Catalog


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cs-bot", description="Kakao i Open Builder customer-support skill server"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the skill server locally (development server)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    commands.add_parser(
        "check", help="validate flows and templates and render every node (exit 1 on problems)"
    )

    evaluate = commands.add_parser(
        "eval", help="measure free-text routing on a labelled set: accuracy, confusion table, every miss"
    )
    evaluate.add_argument(
        "--set",
        dest="sets",
        action="append",
        type=Path,
        help="YAML set(s) to measure (default: tests/understanding/eval_set.yaml and dev_set.yaml)",
    )
    evaluate.add_argument("--quiet", action="store_true", help="no list of misses")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal (engine only, no server)")
    chat.add_argument("--user", default="terminal-user", help="user key for the conversation")
    chat.add_argument(
        "--record", type=Path, default=None, help="save the conversation as a replay fixture (every turn)"
    )

    replay = commands.add_parser(
        "replay", help="POST payload fixtures to a running server and compare with golden answers"
    )
    replay.add_argument("files", nargs="+", type=Path, help="payloads or recorded conversations (.json)")
    replay.add_argument("--url", default="http://127.0.0.1:8000/skill")
    replay.add_argument("--secret", default=None, help="value for the X-Skill-Secret header")
    replay.add_argument(
        "--golden", type=Path, default=None, help="golden files directory (default: golden/ beside each file)"
    )
    replay.add_argument("--update", action="store_true", help="write the answers as the new golden files")

    report = commands.add_parser(
        "report", help="per guide: entered, steps reached, resolved, handed off, abandoned, containment, CSAT"
    )
    _period_options(report)
    report.add_argument("--output", type=Path, default=None, help="write CSV files and PNG charts here")
    graph = commands.add_parser("graph", help="draw each guide as a diagram (PNG + DOT), with traffic")
    graph.add_argument("--flow", action="append", default=None, help="only this guide (repeatable)")
    graph.add_argument(
        "--traffic", nargs=2, metavar=("FROM", "TO"), default=None, help="draw customers' paths (dates)"
    )
    graph.add_argument("--events", type=Path, default=None, help="read events from this JSON-lines file")
    graph.add_argument("--output", type=Path, default=Path("."), help="directory for the files")

    worker = commands.add_parser(
        "worker", help="deliver handoffs to agent desks (RQ worker, needs REDIS_URL)"
    )
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.add_argument(
        "--metrics-port", type=int, default=None, help="serve this worker's Prometheus metrics on this port"
    )

    agents = commands.add_parser("agents", help="agent inbox accounts: add, list, disable")
    agent_commands = agents.add_subparsers(dest="agents_command", required=True)
    add = agent_commands.add_parser("add", help="add an agent (asks for the password)")
    add.add_argument("name")
    add.add_argument("--lead", action="store_true", help="a lead: may reassign handoffs")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    agent_commands.add_parser("list", help="list agents")
    disable = agent_commands.add_parser("disable", help="disable an agent and end their sessions now")
    disable.add_argument("name")
    enable = agent_commands.add_parser("enable", help="allow a disabled agent to sign in again")
    enable.add_argument("name")

    args = parser.parse_args(argv)
    handlers = {
        "serve": _serve,
        "check": _check,
        "eval": _eval,
        "chat": _chat,
        "replay": _replay,
        "report": _report,
        "graph": _graph,
        "worker": _worker,
        "agents": _agents,
    }
    return handlers[args.command](args)


def _serve(args: argparse.Namespace) -> int:
    from app.web.app import create_app

    app = create_app()
    print(f"cs-bot: skill URL http://{args.host}:{args.port}/skill  (Ctrl+C to stop)", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def _content(settings: Settings) -> Catalog | None:
    """The content as the server loads it, or None after printing what is wrong (file and node)."""
    from app.engine.errors import ContentError
    from app.engine.loader import load_catalog

    try:
        return load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return None


def _check(_: argparse.Namespace) -> int:
    from app.content_check import check_rendering, label_problems

    settings = load_settings()
    catalog = _content(settings)
    if catalog is None:
        return 1
    problems = check_rendering(catalog) + label_problems(catalog, settings.skills_dir)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    nodes = sum(1 for _ in catalog.nodes())
    if problems:
        print(f"{len(problems)} problem(s) in {len(catalog.flows)} flows", file=sys.stderr)
        return 1
    print(f"ok: {len(catalog.flows)} flows, {nodes} nodes, {len(catalog.texts.sources)} templates")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from app.config import PROJECT_ROOT
    from app.understanding.evaluate import evaluate, format_report, load_cases

    catalog = _content(load_settings())
    if catalog is None:
        return 1
    sets = args.sets or [PROJECT_ROOT / "tests/understanding" / n for n in ("eval_set.yaml", "dev_set.yaml")]
    for path in sets:
        if not path.exists():
            print(f"cs-bot eval: {path} does not exist", file=sys.stderr)
            return 2
        report = evaluate(catalog.router, load_cases(path))
        print(format_report(report, str(path), show_misses=not args.quiet))
        print()
    return 0


def _chat(args: argparse.Namespace) -> int:
    from app.cli_chat import run_chat

    return run_chat(load_settings(), args.user, record=args.record)


def _worker(args: argparse.Namespace) -> int:
    import logging
    import time

    from rq import Queue

    from app.handoff.recovery import delivery_worker
    from app.handoff.setup import build_handoff_service, queue_client
    from app.logs import configure_logging

    settings = load_settings()
    if not settings.redis_url:
        print(
            "cs-bot worker needs REDIS_URL (without Redis the web process delivers handoffs itself)",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if args.metrics_port:  # delivery outcomes are counted where deliveries run: here
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port)
    build_handoff_service(settings).drain_spool()
    connection = queue_client(settings)
    while True:
        # The delivery worker checks its scheduler (which dies with a Redis restart) and silent
        # workers' jobs every few seconds, so scheduled retries resume within a minute of Redis
        # coming back (RQ's defaults: 10 min and ~7 min) and a killed worker's job within seconds.
        worker = delivery_worker([Queue(settings.handoff_queue, connection=connection)], connection)
        worker.max_connection_wait_time = min(10.0, float(settings.worker_maintenance_seconds))
        worker.work(with_scheduler=True, burst=args.burst)
        if args.burst or getattr(worker, "_shutdown_requested_date", None) is not None:  # SIGTERM/SIGINT
            return 0
        # RQ's worker quits on some Redis errors (a timeout outside its dequeue loop): start again
        logging.getLogger("app.cli").warning("delivery worker stopped on a Redis error; starting again")
        time.sleep(2)


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", default=None, help="first day, YYYY-MM-DD (default: 7 days ago)"
    )
    parser.add_argument("--to", dest="end", default=None, help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--flow", action="append", default=None, help="only this guide (repeatable)")
    parser.add_argument("--events", type=Path, default=None, help="read events from this JSON-lines file")


def _report(args: argparse.Namespace) -> int:
    from app.insight.cli import run_report

    return run_report(load_settings(), args)


def _graph(args: argparse.Namespace) -> int:
    from app.insight.cli import run_graph

    return run_graph(load_settings(), args)


def _agents(args: argparse.Namespace) -> int:
    from app.cli_agents import run_agents

    return run_agents(load_settings(), args)


def _replay(args: argparse.Namespace) -> int:
    from app.replay import Unreachable, replay

    unreadable = [str(p) for p in args.files if not p.is_file()]
    if unreadable:
        print(f"cs-bot replay: no such file: {', '.join(unreadable)}", file=sys.stderr)
        return 2
    try:
        return replay(args.files, args.url, args.secret, args.golden, args.update)
    except Unreachable as exc:
        print(f"cs-bot replay: {exc}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"cs-bot replay: a fixture is not JSON: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
