"""`cs-bot`: run the server, check the content, chat in a terminal, replay payload fixtures."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from app.config import load_settings


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

    chat = commands.add_parser("chat", help="talk to the bot in this terminal (engine only, no server)")
    chat.add_argument("--user", default="terminal-user", help="user key for the conversation")

    replay = commands.add_parser(
        "replay", help="POST payload files to a running server and print the answers"
    )
    replay.add_argument("files", nargs="+", type=Path)
    replay.add_argument("--url", default="http://127.0.0.1:8000/skill")
    replay.add_argument("--secret", default=None, help="value for the X-Skill-Secret header")

    worker = commands.add_parser(
        "worker", help="deliver handoffs to agent desks (RQ worker, needs REDIS_URL)"
    )
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")

    args = parser.parse_args(argv)
    handlers = {"serve": _serve, "check": _check, "chat": _chat, "replay": _replay, "worker": _worker}
    return handlers[args.command](args)


def _serve(args: argparse.Namespace) -> int:
    from app.web.app import create_app

    app = create_app()
    print(f"cs-bot: skill URL http://{args.host}:{args.port}/skill  (Ctrl+C to stop)", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def _check(_: argparse.Namespace) -> int:
    from app.content_check import check_rendering
    from app.engine.errors import ContentError
    from app.engine.loader import load_catalog

    settings = load_settings()
    try:
        catalog = load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    problems = check_rendering(catalog)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    nodes = sum(1 for _ in catalog.nodes())
    if problems:
        print(f"{len(problems)} problem(s) in {len(catalog.flows)} flows", file=sys.stderr)
        return 1
    print(f"ok: {len(catalog.flows)} flows, {nodes} nodes, {len(catalog.texts.sources)} templates")
    return 0


def _chat(args: argparse.Namespace) -> int:
    from app.cli_chat import run_chat

    return run_chat(load_settings(), args.user)


def _worker(args: argparse.Namespace) -> int:
    import logging
    import time

    from rq import Queue, Worker

    from app.handoff.setup import build_handoff_service, queue_client
    from app.privacy import install_privacy_filter

    settings = load_settings()
    if not settings.redis_url:
        print(
            "cs-bot worker needs REDIS_URL (without Redis the web process delivers handoffs itself)",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_privacy_filter()
    build_handoff_service(settings).drain_spool()
    connection = queue_client(settings)
    while True:
        worker = Worker(
            [Queue(settings.handoff_queue, connection=connection)],
            connection=connection,
            # RQ checks its scheduler (which dies with a Redis restart) only at maintenance, and only
            # between two blocking dequeues: both every few seconds, so scheduled retries resume
            # within a minute of Redis coming back (RQ's defaults: 10 min and ~7 min).
            maintenance_interval=settings.worker_maintenance_seconds,
            worker_ttl=settings.worker_maintenance_seconds + 15,
        )
        worker.max_connection_wait_time = min(10.0, float(settings.worker_maintenance_seconds))
        worker.work(with_scheduler=True, burst=args.burst)
        if args.burst or getattr(worker, "_shutdown_requested_date", None) is not None:  # SIGTERM/SIGINT
            return 0
        # RQ's worker quits on some Redis errors (a timeout outside its dequeue loop): start again
        logging.getLogger("app.cli").warning("delivery worker stopped on a Redis error; starting again")
        time.sleep(2)


def _replay(args: argparse.Namespace) -> int:
    import requests

    headers = {"X-Skill-Secret": args.secret} if args.secret else {}
    failed = 0
    for path in args.files:
        response = requests.post(
            args.url,
            data=path.read_bytes(),
            headers={"Content-Type": "application/json", **headers},
            timeout=5,
        )
        print(f"== {path} → HTTP {response.status_code}")
        try:
            print(json.dumps(response.json(), ensure_ascii=False, indent=2))
        except ValueError:
            print(response.text)
        failed += response.status_code != 200
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
