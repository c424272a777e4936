"""Scale-out on Redis Cluster: a real three-node cluster (ports 7101–7103) made by this test.

One customer's lock, state and transcript share a hash tag, so they live on one shard and one script
handles them; different customers spread over the shards; handoffs are kept and listed.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from redis.cluster import RedisCluster

from app import create_app
from app.kakao import check_response
from app.session.redis_store import RedisStore
from tests.own_redis import OwnRedis
from tests.web.conftest import payload, texts

PORTS = (7101, 7102, 7103)
URL = "redis+cluster://127.0.0.1:7101,127.0.0.1:7102"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    base = tmp_path_factory.mktemp("cluster")
    nodes = [
        OwnRedis(port, base / str(port), "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
        for port in PORTS
    ]
    try:
        for node in nodes:
            node.start()
        subprocess.run(
            [
                shutil.which("redis-cli") or "redis-cli", "--cluster", "create",
                *(f"127.0.0.1:{port}" for port in PORTS), "--cluster-replicas", "0", "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )  # fmt: skip
        for port in PORTS:
            client = redis.Redis(port=port)
            for _ in range(100):
                if client.cluster("info")["cluster_state"] == "ok":
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"cluster node {port} did not reach cluster_state:ok")
        client = RedisCluster(host="127.0.0.1", port=PORTS[0])
        yield client
        client.close()
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture
def cluster_app(cluster: RedisCluster, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"redis_url": URL, "redis_prefix": "clustertest:", "handoff_spool_dir": tmp_path})
    yield app
    app.extensions["cs_bot"].close()


def test_a_conversation_to_a_handoff_runs_on_the_cluster(cluster: RedisCluster, cluster_app: Flask) -> None:
    client = cluster_app.test_client()
    user = "c1" * 33
    for turn in ("안녕하세요", "그 밖의 문의"):
        answer = client.post("/skill", json=payload(turn, user))
        assert answer.status_code == 200 and check_response(answer.get_json()) == []
    handed = client.post("/skill", json=payload("영수증을 다시 받고 싶어요", user)).get_json()
    assert "영수증을 다시 받고 싶어요" in texts(handed)
    assert "상담직원 연결" in texts(handed)

    runtime = cluster_app.extensions["cs_bot"]
    store = runtime.store
    assert isinstance(store, RedisStore)
    slots = {cluster.keyslot(store.state_key(user)), cluster.keyslot(store.transcript_key(user))}
    assert slots == {cluster.keyslot(store.lock_key(user))}  # one shard for the customer's turn
    assert cluster.get(store.state_key(user)) is not None
    assert len(cluster.lrange(store.transcript_key(user), 0, -1)) == 6  # three turns, customer + bot
    (view,) = runtime.handoffs.repo.list()
    assert view.record.bot_user_key == user
    assert [e.text for e in view.record.transcript][-2] == "영수증을 다시 받고 싶어요"


def test_customers_spread_over_the_shards(cluster: RedisCluster, cluster_app: Flask) -> None:
    client = cluster_app.test_client()
    store = cluster_app.extensions["cs_bot"].store
    users = [f"spread-{n:03d}" for n in range(30)]
    for user in users:
        assert client.post("/skill", json=payload("안녕하세요", user)).status_code == 200
    owners = {cluster.get_node_from_key(store.state_key(user)).port for user in users}
    assert owners == set(PORTS)


def test_desks_on_a_cluster_need_a_separate_queue_redis(cluster: RedisCluster, tmp_path: Path) -> None:
    settings = {
        "redis_url": URL,
        "redis_prefix": "clustertest:",
        "handoff_spool_dir": tmp_path,
        "handoff_webhook_url": "https://desk.example/handoffs",
    }
    with pytest.raises(ValueError, match="QUEUE_REDIS_URL"):
        create_app(settings)
