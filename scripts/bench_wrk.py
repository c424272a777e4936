"""Benchmark /skill against the floor with wrk, in one run, on the real gunicorn (as the Procfile starts it).

    .venv/bin/python scripts/bench_wrk.py [--seconds 15] [--rounds 3] [--connections 64] [--threads 2]

What it does:
1. starts its own redis-server (a free port in 7150–7199, no persistence; stopped at the end);
2. records customer walks in-process: a typed first message, then taps on quick replies (up to seven
   turns; a walk ends where it is handed to an agent), as request bodies with the user key left open;
3. starts the skill (`gunicorn -c gunicorn.conf.py 'app:create_app()'`, REDIS_URL set) and the floor
   (scripts/bench_floor.py: parse, one GET, one SET, fixed answer) with the same gunicorn settings;
4. drives each with wrk — many users, each walking a recorded path with its own key, every user's
   turns in order — alternating floor and skill for `--rounds` rounds, and prints requests/s,
   p50/p99 per round and the ratios (the machine is shared: compare within a run, not across runs);
5. counts, in-process against the same Redis, the round trips and bytes of an ordinary turn, a
   handoff turn (with a webhook desk configured, so the delivery job is enqueued) and the memory
   one conversation (session + transcript) and one handoff record take.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "official_example.json"
FIRST_MESSAGES = [
    "전기차 충전이 안 돼요",
    "충전기 인증 오류가 떠요",
    "카셰어링 기기 인증이 안돼요",
    "차 문이 안 열려요",
    "주차 안 했는데 결제됐어요",
    "주차비가 잘못 결제된 것 같아요",
    "안녕하세요",
    "영수증을 다시 받고 싶어요",
]
TYPED_ANSWERS = ["12가3456", "010-1234-5678", "강남역 공영주차장 3번 충전기", "어제 저녁 7시쯤이요"]
GLOBAL_LABELS = {"처음으로", "이전", "상담직원 연결"}
USER = "__USER__"
SLOTS_PER_THREAD = 1500  # users walking at once per wrk thread: each user's turns stay in order


def payload(utterance: str, extra: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(FIXTURE.read_text())
    body["userRequest"]["utterance"] = utterance
    body["userRequest"]["user"]["id"] = USER
    body["userRequest"]["user"]["properties"]["botUserKey"] = USER
    body["action"]["clientExtra"] = extra
    return body


def record_walks(count: int, seed: int = 7) -> list[list[str]]:
    """Walks as request bodies: typed first message, then taps (a customer's real path), ending at a
    handoff if one comes."""
    from app import create_app

    rng = random.Random(seed)
    app = create_app({"rate_limit": "", "handoff_spool_dir": tempfile.mkdtemp()})
    client = app.test_client()
    handed: list[bool] = []
    app.extensions["cs_bot"].conversations.on_handoff = lambda *_: handed.append(True)
    walks: list[list[str]] = []
    for n in range(count):
        user = f"walk-{n}"
        body = payload(FIRST_MESSAGES[n % len(FIRST_MESSAGES)], None)
        steps: list[str] = []
        for _ in range(7):
            steps.append(json.dumps(body, ensure_ascii=False))
            handed.clear()
            answer = client.post("/skill", json=json.loads(steps[-1].replace(USER, user))).get_json()
            if handed:  # the walk ends where the customer is handed to an agent
                break
            quick = [q for q in answer["template"].get("quickReplies", []) if q["label"] not in GLOBAL_LABELS]
            if quick:
                chosen = rng.choice(quick)
                body = payload(chosen.get("messageText", chosen["label"]), chosen.get("extra"))
            elif answer["template"].get("quickReplies"):  # a question to answer in words
                body = payload(rng.choice(TYPED_ANSWERS), None)
            else:
                break
        walks.append(steps)
    app.extensions["cs_bot"].close()
    return walks


LUA = r"""
local walks, slots, counter, id = {}, {}, 0, 0
local errors, limited, apologies = 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  id = wrk.thread:get("id")
  args_run = args[3]  -- new customers in every run: none finds a conversation a former run left
  for line in io.lines(args[1]) do
    local walk = {}
    for step in string.gmatch(line, "[^\30]+") do table.insert(walk, step) end
    table.insert(walks, walk)
  end
  for i = 1, tonumber(args[2]) do
    slots[i] = {walk = ((i + id * 7) % #walks) + 1, step = 1, round = 0}
  end
end

function request()
  counter = counter + 1
  local slot = slots[(counter % #slots) + 1]
  local walk = walks[slot.walk]
  local user = string.format("%s%02d%05d%06d", args_run or "bench", id, counter % #slots, slot.round)
  local body = string.gsub(walk[slot.step], "__USER__", user)
  slot.step = slot.step + 1
  if slot.step > #walk then
    slot.step, slot.round, slot.walk = 1, slot.round + 1, (slot.walk % #walks) + 1
  end
  return wrk.format("POST", "/skill", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
  if string.find(body, "잠시 후 다시", 1, true) then limited = limited + 1 end
  if string.find(body, "일시적인 오류", 1, true) then apologies = apologies + 1 end
end

function done(summary, latency, requests)
  local e, l, a = 0, 0, 0
  for _, thread in ipairs(threads) do
    e = e + (thread:get("errors") or 0)
    l = l + (thread:get("limited") or 0)
    a = a + (thread:get("apologies") or 0)
  end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
    "non200=%d limited=%d apologies=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e, l, a,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port(candidates: range | None = None) -> int:
    for port in candidates or range(0, 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError("no free port")


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port(range(7150, 7200))
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            return process, url
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def start_gunicorn(
    app: str, env: dict[str, str], log: Path, extra: list[str], root: Path = ROOT
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with `root`'s gunicorn.conf.py, run from `root` (its config imports that checkout's
    `app` package, so another checkout must be started from its own directory)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *extra, app]
    environment = {**env, "PORT": str(port), "PYTHONPATH": str(root)}
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=root, env=environment, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start: {log.read_text()[-2000:]}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU these processes used so far (Linux /proc; 0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def workers_of(master: subprocess.Popen[bytes]) -> list[int]:
    found = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in found]


def run_wrk(base: str, lua: Path, walks: Path, args: argparse.Namespace, seconds: int) -> dict[str, float]:
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(lua), f"{base}/skill", "--", str(walks), str(SLOTS_PER_THREAD), f"r{time.time_ns()}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH "))
    values = {k: float(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
    return values


def measured(
    server: subprocess.Popen[bytes],
    base: str,
    redis_process: subprocess.Popen[bytes],
    lua: Path,
    walks: Path,
    args: argparse.Namespace,
) -> dict[str, float]:
    """One wrk run, with the CPU the web workers and Redis spent per request (less sensitive to what
    else the machine runs than requests/s)."""
    workers = workers_of(server)
    before = cpu_seconds(workers), cpu_seconds([redis_process.pid])
    values = run_wrk(base, lua, walks, args, args.seconds)
    after = cpu_seconds(workers), cpu_seconds([redis_process.pid])
    values["worker_cpu_us"] = (after[0] - before[0]) / values["requests"] * 1e6
    values["redis_cpu_us"] = (after[1] - before[1]) / values["requests"] * 1e6
    return values


def measure_round_trips(redis_url: str, walks: list[list[str]]) -> dict[str, float]:
    """Round trips (commands or pipelines sent) and bytes per turn, in this process, on own Redis."""
    from redis.connection import AbstractConnection

    from app import create_app

    sent = {"round_trips": 0}
    send_packed = AbstractConnection.send_packed_command

    def counting(self: Any, *a: Any, **k: Any) -> Any:  # one packet: a command or a whole pipeline
        sent["round_trips"] += 1
        return send_packed(self, *a, **k)

    prefix = "rtcount:"
    app = create_app(
        {
            "redis_url": redis_url,
            "redis_prefix": prefix,
            "rate_limit": "",
            "handoff_webhook_url": "http://127.0.0.1:9/desk",  # jobs are enqueued, never run here
            "handoff_spool_dir": tempfile.mkdtemp(),
        }
    )
    conversations = app.extensions["cs_bot"].conversations
    handed: list[bool] = []
    conversations.on_handoff = lambda *_: handed.append(True)
    client, stats = app.test_client(), redis.Redis.from_url(redis_url)
    ordinary: list[tuple[int, int]] = []
    handoff: list[tuple[int, int]] = []
    AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
    try:
        for n, walk in enumerate(walks * 3):
            for step in walk:
                body = json.loads(step.replace(USER, f"rt-{n:05d}"))
                handed.clear()
                before_net = _net_bytes(stats)
                sent["round_trips"] = 0
                client.post("/skill", json=body)
                trips = sent["round_trips"]
                net = _net_bytes(stats) - before_net - 2 * 60  # less our own two INFO calls' requests
                (handoff if handed else ordinary).append((trips, net))
    finally:
        AbstractConnection.send_packed_command = send_packed  # type: ignore[method-assign]
    app.extensions["cs_bot"].close()
    usage = _memory(stats, prefix)
    return {
        "ordinary_turns": len(ordinary),
        "ordinary_round_trips": statistics.mean(t for t, _ in ordinary),
        "ordinary_bytes": statistics.mean(b for _, b in ordinary),
        "handoff_turns": len(handoff),
        "handoff_round_trips": statistics.mean(t for t, _ in handoff) if handoff else 0,
        "handoff_bytes": statistics.mean(b for _, b in handoff) if handoff else 0,
        **usage,
    }


def _net_bytes(client: redis.Redis) -> int:
    info = client.info("stats")
    return int(info["total_net_input_bytes"]) + int(info["total_net_output_bytes"])


def _memory(client: redis.Redis, prefix: str) -> dict[str, float]:
    sizes: dict[str, list[int]] = {"session": [], "transcript": [], "prefetch": [], "handoff": []}
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        name = key.decode()
        kind = next((k for k in ("session", "transcript", "prefetch") if name.endswith(f":{k}")), None)
        if kind is None and name.startswith(f"{prefix}handoff:"):
            kind = "handoff"
        if kind:
            sizes[kind].append(int(client.memory_usage(key, samples=0) or 0))
    index = int(client.memory_usage(f"{prefix}handoffs", samples=0) or 0)
    handoffs = max(1, len(sizes["handoff"]))
    return {
        # the prefetch hint (kept beside a session at a question one answer can hand off from),
        # averaged over every session
        "session_bytes": statistics.mean(sizes["session"]) + sum(sizes["prefetch"]) / len(sizes["session"]),
        "transcript_bytes": statistics.mean(sizes["transcript"]),
        "handoff_bytes_stored": statistics.mean(sizes["handoff"]) + index / handoffs
        if sizes["handoff"]
        else 0,
        "handoffs_stored": len(sizes["handoff"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="floor/skill pairs")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--walks", type=int, default=120, help="distinct recorded walks")
    parser.add_argument("--workers", default="", help="WEB_CONCURRENCY for both (default: gunicorn.conf.py)")
    parser.add_argument("--worker-class", default="", help="override gunicorn.conf.py's (to compare)")
    parser.add_argument(
        "--skill-dir",
        type=Path,
        default=None,
        help="run the skill from another checkout (e.g. an older commit) with these same server settings",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    import logging

    logging.disable(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    redis_process, redis_url = start_redis(workdir)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        walks = record_walks(args.walks)
        walks_file, lua = workdir / "walks.txt", workdir / "walk.lua"
        walks_file.write_text("\n".join("\x1e".join(w) for w in walks) + "\n")
        lua.write_text(LUA)
        turns = sum(len(w) for w in walks)
        print(
            f"{len(walks)} walks, {turns / len(walks):.1f} turns each; {args.threads} wrk threads × "
            f"{args.connections} connections, {args.seconds}s per run, {os.cpu_count()} CPUs"
        )
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
            "HANDOFF_SPOOL_DIR": str(workdir),
        }
        env.pop("SKILL_SECRET", None)
        if args.workers:
            env["WEB_CONCURRENCY"] = args.workers
        extra = ["--worker-class", args.worker_class] if args.worker_class else []
        extra += ["--access-logfile", "/dev/null"]
        skill, skill_base = start_gunicorn(
            "app:create_app()",
            {**env, "REDIS_PREFIX": "bench:"},
            workdir / "skill.log",
            extra,
            root=args.skill_dir.resolve() if args.skill_dir else ROOT,
        )
        floor, floor_base = start_gunicorn(
            "bench_floor:create_floor_app()",
            {**env, "REDIS_PREFIX": "floor:"},
            workdir / "floor.log",
            [*extra, "--pythonpath", str(ROOT / "scripts")],
        )
        servers += [skill, floor]
        for base in (floor_base, skill_base):  # warm up: imports, scripts loaded, connections open
            run_wrk(base, lua, walks_file, args, 3)
        rows: list[tuple[dict[str, float], dict[str, float]]] = []
        print(
            f"{'round':<6}{'floor req/s':>12}{'p50':>8}{'p99':>8}{'skill req/s':>13}{'p50':>8}{'p99':>8}"
            f"{'ratio':>7}{'p99×':>6}{'non-200':>8}{'limited':>8}{'apology':>8}"
        )
        for n in range(args.rounds):
            f = measured(floor, floor_base, redis_process, lua, walks_file, args)
            s = measured(skill, skill_base, redis_process, lua, walks_file, args)
            rows.append((f, s))
            print(
                f"{n + 1:<6}{f['rps']:>12.0f}{f['p50_us'] / 1000:>7.1f}m{f['p99_us'] / 1000:>7.1f}m"
                f"{s['rps']:>13.0f}{s['p50_us'] / 1000:>7.1f}m{s['p99_us'] / 1000:>7.1f}m"
                f"{s['rps'] / f['rps']:>7.2f}{s['p99_us'] / f['p99_us']:>6.1f}"
                f"{int(s['non200'] + s['socket_errors']):>8}{int(s['limited']):>8}{int(s['apologies']):>8}"
            )
        ratio = statistics.median(s["rps"] / f["rps"] for f, s in rows)
        p99 = statistics.median(s["p99_us"] / f["p99_us"] for f, s in rows)
        print(f"median: /skill reaches {ratio:.2f}× the floor's requests/s, p99 {p99:.1f}× the floor's")
        for name, column in (("floor", 0), ("skill", 1)):
            worker = statistics.median(row[column]["worker_cpu_us"] for row in rows)
            server = statistics.median(row[column]["redis_cpu_us"] for row in rows)
            print(f"CPU per request, {name}: web workers {worker:.0f} µs, Redis {server:.0f} µs (median)")
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(15)
        servers.clear()
        if args.skill_dir:  # the round-trip count below measures this checkout's code, not that one
            return
        cost = measure_round_trips(redis_url, walks)
        print(
            f"Redis per ordinary turn: {cost['ordinary_round_trips']:.2f} round trips, "
            f"{cost['ordinary_bytes']:.0f} bytes on the wire ({cost['ordinary_turns']} turns)\n"
            f"Redis per handoff turn (webhook desk: record, delivery state, RQ job): "
            f"{cost['handoff_round_trips']:.1f} round trips, {cost['handoff_bytes']:.0f} bytes "
            f"({cost['handoff_turns']} turns)\n"
            f"memory: session {cost['session_bytes']:.0f} B (with its prefetch hint), "
            f"transcript {cost['transcript_bytes']:.0f} B "
            f"per conversation; handoff record {cost['handoff_bytes_stored']:.0f} B each "
            f"({cost['handoffs_stored']} stored; RQ job data not included)\n"
            f"capacity: 1,000 conversations ≈ "
            f"{(cost['session_bytes'] + cost['transcript_bytes']) * 1000 / 2**20:.1f} MiB while live "
            f"(session 30 min, transcript 24 h); 1,000 handoffs kept 30 days ≈ "
            f"{cost['handoff_bytes_stored'] * 1000 / 2**20:.1f} MiB"
        )
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(15)
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
