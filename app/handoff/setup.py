"""Building the handoff side from settings: repository, desks, dispatcher, service."""

from __future__ import annotations

from datetime import timedelta

import redis

from app.config import Settings
from app.handoff.delivery import Dispatcher, ThreadDispatcher
from app.handoff.desks import Desk, SlackDesk, WebhookDesk
from app.handoff.hours import BusinessHours
from app.handoff.labels import load_labels
from app.handoff.redis_repository import RedisHandoffRepository
from app.handoff.repository import HandoffRepository, MemoryHandoffRepository
from app.handoff.service import HandoffService
from app.handoff.spool import Spool
from app.session.connect import is_cluster_url, redis_from_url


def redis_client(settings: Settings) -> redis.Redis:
    """A client for REDIS_URL (one server, Sentinel or Cluster: app/session/connect.py)."""
    assert settings.redis_url
    client: redis.Redis = redis_from_url(settings.redis_url)
    return client


def queue_client(settings: Settings) -> redis.Redis:
    """The Redis that holds RQ's delivery jobs: QUEUE_REDIS_URL, else REDIS_URL. RQ's transactions span
    several keys, which a Redis Cluster refuses, so with a Cluster URL the queue needs its own server."""
    url = settings.queue_redis_url or settings.redis_url
    assert url
    if is_cluster_url(url):
        raise ValueError(
            "handoff delivery (RQ) cannot run on a Redis Cluster: set QUEUE_REDIS_URL to a single Redis "
            "or Sentinel URL for the delivery jobs (sessions and handoffs stay on the Cluster)"
        )
    client: redis.Redis = redis_from_url(url)
    return client


def build_repository(settings: Settings) -> HandoffRepository:
    options = {
        "retention": timedelta(days=settings.handoff_retention_days),
        "transcript_ttl": timedelta(seconds=settings.transcript_ttl_seconds),
        "transcript_entries": settings.transcript_max_entries,
    }
    if settings.redis_url:
        return RedisHandoffRepository(redis_client(settings), prefix=settings.redis_prefix, **options)
    return MemoryHandoffRepository(**options)  # type: ignore[arg-type]


def build_desks(settings: Settings) -> list[Desk]:
    desks: list[Desk] = []
    timeout, inbox = settings.delivery_timeout_seconds, settings.public_base_url
    if settings.handoff_webhook_url:
        secret = (
            settings.handoff_webhook_secret.get_secret_value() if settings.handoff_webhook_secret else None
        )
        desks.append(WebhookDesk(settings.handoff_webhook_url, secret, timeout, inbox))
    if settings.slack_webhook_url:
        desks.append(SlackDesk(settings.slack_webhook_url, timeout, inbox))
    return desks


def build_dispatcher(settings: Settings, repo: HandoffRepository) -> Dispatcher:
    desks, schedule = build_desks(settings), settings.delivery_retry_schedule
    if settings.redis_url:
        from app.handoff.jobs import RQDispatcher

        if not desks:  # nothing to deliver: no queue needed (and none on a Cluster)
            return ThreadDispatcher(repo, desks, schedule)
        same_server = not settings.queue_redis_url or settings.queue_redis_url == settings.redis_url
        return RQDispatcher(
            queue_client(settings),
            repo,
            desks,
            schedule,
            queue_name=settings.handoff_queue,
            same_server_as_repo=same_server,
        )
    return ThreadDispatcher(repo, desks, schedule)


def build_handoff_service(settings: Settings) -> HandoffService:
    repo = build_repository(settings)
    return HandoffService(
        repo=repo,
        dispatcher=build_dispatcher(settings, repo),
        spool=Spool(settings.handoff_spool_dir),
        hours=BusinessHours.parse(settings.business_hours, settings.holidays, settings.public_holidays),
        labels=load_labels(settings.skills_dir)[0],
    )
