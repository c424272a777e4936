"""`cs-bot agents add|list|disable|enable`: the agent inbox's accounts (Redis when REDIS_URL is set,
else the local AGENTS_FILE). Passwords are asked for without echo (or read from stdin), never logged."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.agents.accounts import AccountError, new_agent
from app.agents.setup import build_desk
from app.config import Settings
from app.session import StoreUnavailable


def run_agents(settings: Settings, args: argparse.Namespace) -> int:
    desk = build_desk(settings)
    try:
        if args.agents_command == "add":
            password = _password(args.password_stdin)
            agent = new_agent(args.name, password, "lead" if args.lead else "agent")
            desk.accounts.add(agent)
            print(f"added {agent.name} ({agent.role_label})")
        elif args.agents_command == "list":
            agents = desk.accounts.all()
            for agent in agents:
                state = "사용 중지" if agent.disabled else "사용 중"
                print(f"{agent.name}\t{agent.role_label}\t{state}\t{agent.created_at:%Y-%m-%d}")
            if not agents:
                print("no agents yet: cs-bot agents add NAME", file=sys.stderr)
        else:
            disabled = args.agents_command == "disable"
            changed = desk.accounts.set_disabled(args.name, disabled)
            if changed is None:
                print(f"no agent named {args.name}", file=sys.stderr)
                return 1
            ended = desk.sessions.end_all(args.name) if disabled else 0
            print(
                f"{'disabled' if disabled else 'enabled'} {args.name}"
                + (f"; ended {ended} session(s)" if disabled else "")
            )
    except AccountError as exc:
        print(f"cs-bot agents: {exc}", file=sys.stderr)
        return 1
    except StoreUnavailable as exc:
        print(f"cs-bot agents: the store is unavailable: {exc}", file=sys.stderr)
        return 2
    return 0


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("비밀번호: ")
    if first != getpass.getpass("비밀번호 확인: "):
        raise AccountError("두 비밀번호가 다릅니다")
    return first
