"""`GET /healthz` (liveness, no dependencies) and `GET /readyz` (flows loaded, store reachable)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from app.session import MemoryStore
from app.web.runtime import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    current = runtime()
    store = "memory" if isinstance(current.store, MemoryStore) else "redis"
    body = {"flows": len(current.catalog.flows), "store": store}
    if not current.store.ping():
        return jsonify(status="unavailable", reason=f"{store} store does not answer", **body), 503
    return jsonify(status="ready", **body)
