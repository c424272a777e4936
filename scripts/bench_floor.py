"""The floor the skill is measured against (scripts/bench_wrk.py): a Flask endpoint on the same
gunicorn settings that parses the Kakao payload, does one Redis GET and one SET for the user and
returns a fixed Kakao response. No turn can be cheaper than this on the same stack.

    gunicorn -c gunicorn.conf.py --pythonpath scripts 'bench_floor:create_floor_app()'
"""

from __future__ import annotations

import os

import orjson
import redis
from flask import Flask, Response, request

FIXED = orjson.dumps(
    {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "무엇을 도와드릴까요?"}}]}}
)


def create_floor_app() -> Flask:
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=1.0)
    prefix = os.environ.get("REDIS_PREFIX", "floor:")
    app = Flask(__name__)

    @app.post("/skill")
    def skill() -> Response:
        payload = orjson.loads(request.get_data())
        user = payload["userRequest"]["user"]["id"]
        key = f"{prefix}{{{user}}}:session"
        client.get(key)
        client.set(key, payload["userRequest"]["utterance"], ex=1800)
        return Response(FIXED, mimetype="application/json")

    @app.get("/readyz")
    def ready() -> Response:
        return Response(b'{"status":"ready"}', mimetype="application/json")

    return app
