"""통계 in the agent inbox: the report, charts and diagrams for a lead; refused for other agents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from app.handoff.record import SEOUL
from tests.chat import Chat
from tests.insight.conftest import Clock
from tests.web.test_agent_desk import KIM, LEE, build, html, sign_in


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Flask]:
    app = build(tmp_path)
    app.extensions["cs_bot"].conversations.clock = Clock(datetime.now(SEOUL))
    yield app
    app.extensions["cs_bot"].close()


def walks(app: Flask) -> None:
    chat = Chat(app.test_client(), "g1" * 33).say("안녕").tap("카셰어링 기기 인증").tap("카셰어링")
    chat.tap("네, 모두 맞아요").tap("SKT").tap("아이폰").tap("네, 해결됐어요").tap("😀 만족해요")
    handed = Chat(app.test_client(), "g3" * 33).say("안녕").tap("카셰어링 기기 인증").tap("카셰어링")
    handed.tap("네, 모두 맞아요").tap("SKT").tap("아이폰").tap("아니요")
    Chat(app.test_client(), "g2" * 33).say("점심 메뉴 추천해 주세요 010-1234-5678")


def test_a_lead_sees_the_report_charts_and_diagrams(desk: Flask) -> None:
    walks(desk)
    lead = sign_in(desk, LEE)
    assert "통계" in html(lead.get("/agent"))
    page = html(lead.get("/agent/insight"))
    assert "카셰어링 기기 인증" in page and "3.00 (1건)" in page
    assert "안내 단계대로 해도 해결 안 됨 1" in page and "steps_not_resolved" not in page  # reasons in Korean
    assert "점심 메뉴 추천해 주세요 [전화번호]" in page and "010-1234-5678" not in page
    chart = lead.get("/agent/insight/chart/funnel-carsharing_auth.png")
    assert chart.status_code == 200 and chart.mimetype == "image/png" and len(chart.data) > 15_000
    assert lead.get("/agent/insight/chart/containment.png").data[:4] == b"\x89PNG"
    diagram = lead.get("/agent/insight/graph/carsharing_auth.svg")
    assert diagram.mimetype == "image/svg+xml" and "도달 2 (100%)" in diagram.get_data(as_text=True)
    assert lead.get("/agent/insight/graph/nope.svg").status_code == 404
    assert lead.get("/agent/insight?from=2026-12-31&to=2026-01-01").status_code == 400


def test_other_agents_and_strangers_are_refused(desk: Flask) -> None:
    agent = sign_in(desk, KIM)
    assert "통계" not in html(agent.get("/agent"))
    for url in ("/agent/insight", "/agent/insight/chart/containment.png", "/agent/insight/graph/main.svg"):
        refused = agent.get(url)
        assert refused.status_code == 403 and "리드만 볼 수 있습니다" in html(refused)
        assert desk.test_client().get(url).status_code == 302  # not signed in: to the sign-in page
