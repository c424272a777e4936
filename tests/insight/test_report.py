"""The report's numbers on a known set of walks (exact counts and rates), its files (CSV, PNG charts),
the diagrams (DOT source and PNG), and the commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from app.cli import main
from app.insight.charts import korean_font
from app.insight.graph import flow_graph, write_graphs
from app.insight.report import Report, build_report, journeys
from app.insight.tables import format_report, write_csv
from tests.chat import Chat
from tests.insight.conftest import MONDAY, Clock, recorded

TTL = 1800
DAY_START = MONDAY.replace(hour=0).timestamp()
DAY_END = DAY_START + 86400


class Walker(Chat):
    """A customer whose every turn moves the app's clock on by 20 seconds."""

    def __init__(self, app: Flask, clock: Clock, user: str) -> None:
        super().__init__(app.test_client(), user)
        self.clock = clock

    def say(self, utterance: str, extra: dict[str, object] | None = None) -> Walker:
        self.clock.tick(20)
        super().say(utterance, extra)
        return self


def carsharing(app: Flask, clock: Clock, user: str) -> Walker:
    return Walker(app, clock, user).say("안녕하세요").tap("카셰어링 기기 인증")


def known_walks(app: Flask, clock: Clock) -> None:
    """Six customers enter 카셰어링 기기 인증; one of them later 주차 결제 취소."""
    resolved = (
        carsharing(app, clock, "e1" * 33).tap("카셰어링").tap("네, 모두 맞아요").tap("SKT").tap("아이폰")
    )
    resolved.tap("네, 해결됐어요").tap("😀 만족해요")
    handed = carsharing(app, clock, "e2" * 33).tap("카셰어링").tap("네, 모두 맞아요").tap("SKT").tap("아이폰")
    handed.tap("아니요")
    carsharing(app, clock, "e3" * 33).tap("카셰어링").tap("아니요").tap("확인했어요")  # closed
    expired = carsharing(app, clock, "e4" * 33).tap("카셰어링").tap("네, 모두 맞아요")
    carsharing(app, clock, "e5" * 33).tap("카셰어링").say("처음으로")  # left for the menu
    clock.tick(2 * 3600)  # the 4th customer's session expired mid-guide; they come back for parking
    expired.say("주차 결제 취소").tap("아니요")
    carsharing(app, clock, "e6" * 33)  # still in the guide when the report is made


@pytest.fixture
def report(app: Flask, clock: Clock) -> Report:
    known_walks(app, clock)
    catalog = app.extensions["cs_bot"].catalog
    now = clock.now.timestamp() + 60
    return build_report(catalog, recorded(app), start=DAY_START, end=DAY_END, ttl=TTL, now=now)


def test_outcomes_and_rates_per_guide(report: Report) -> None:
    cars = report.flows["carsharing_auth"]
    assert cars.entered == 6
    assert dict(cars.outcomes) == {
        "resolved": 1,
        "handed_off": 1,
        "closed": 1,
        "abandoned": 1,
        "left": 1,
        "open": 1,
    }
    assert cars.containment == pytest.approx(2 / 6)
    assert cars.resolution == pytest.approx(1 / 6)
    assert dict(cars.reasons) == {"steps_not_resolved": 1}
    assert dict(cars.via) == {"menu": 6}
    assert (cars.csat_count, cars.csat_average, dict(cars.csat)) == (1, 3.0, {3: 1})
    parking = report.flows["parking_lpr"]
    assert (parking.entered, dict(parking.outcomes), dict(parking.via)) == (
        1,
        {"closed": 1},
        {"text": 1},
    )  # typed the menu label
    assert report.flows["ev_charging"].entered == 0
    assert [d.isoformat() for d in report.days] == ["2026-11-23"]
    assert cars.daily[MONDAY.date()] == {"entered": 6, "resolved": 1, "contained": 2}


def test_funnel_drop_off_and_edges(report: Report) -> None:
    cars = report.flows["carsharing_auth"]
    reached = {node.split(".", 1)[1]: n for node, n in cars.reached.items()}
    assert reached == {
        "start": 6,
        "preconditions": 5,
        "carrier": 3,
        "precondition_unmet": 1,
        "unmet_close": 1,
        "device_skt_kt": 2,
        "case2_iphone": 2,
        "resolved": 1,
        "handoff": 1,
    }
    assert dict(cars.dropped) == {"carsharing_auth.carrier": 1, "carsharing_auth.preconditions": 1}
    edge = ("carsharing_auth.start", "carsharing_auth.preconditions")
    assert cars.edges[edge] == 5
    assert cars.edges[("carsharing_auth.case2_iphone", "carsharing_auth.handoff")] == 1


def test_abandoned_is_decided_by_the_session_ttl(app: Flask, clock: Clock) -> None:
    carsharing(app, clock, "e7" * 33).tap("카셰어링")
    events = recorded(app)
    last = clock.now.timestamp()
    assert [j.outcome for j in journeys(events, TTL, now=last + TTL - 1)] == ["open"]
    assert [j.outcome for j in journeys(events, TTL, now=last + TTL + 1)] == ["abandoned"]


def test_the_terminal_table(app: Flask, report: Report) -> None:
    text = format_report(app.extensions["cs_bot"].catalog, report)
    assert "카셰어링 기기 인증" in text and "33.3%" in text and "16.7%" in text
    assert "3.00 (1건)" in text
    assert "carsharing_auth.carrier" in text


def test_csv_files(app: Flask, report: Report, tmp_path: Path) -> None:
    written = write_csv(app.extensions["cs_bot"].catalog, report, tmp_path)
    assert sorted(p.name for p in written) == ["daily.csv", "flows.csv", "nodes.csv", "out_of_scope.csv"]
    with (tmp_path / "flows.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["guide"]: row for row in csv.DictReader(handle)}
    cars = rows["carsharing_auth"]
    assert (cars["entered"], cars["abandoned"], cars["containment"], cars["csat_3"]) == (
        "6",
        "1",
        "0.3333",
        "1",
    )


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def test_charts_are_png_files_with_a_korean_font(app: Flask, report: Report, tmp_path: Path) -> None:
    from app.insight.charts import write_charts

    assert korean_font().startswith("Nanum")
    written = write_charts(app.extensions["cs_bot"].catalog, report, tmp_path)
    assert sorted(p.name for p in written) == [
        "containment.png",
        "funnel-carsharing_auth.png",
        "funnel-parking_lpr.png",
    ]
    for path in written:
        width, height = image_size(path)
        assert path.stat().st_size > 15_000 and width >= 800 and height >= 300, (path, width, height)


def test_diagram_source_has_choices_on_the_edges_and_marks_handoffs(app: Flask, report: Report) -> None:
    catalog = app.extensions["cs_bot"].catalog
    source = flow_graph(catalog, "carsharing_auth").source
    assert '"carsharing_auth.carrier" -> "carsharing_auth.device_skt_kt" [label="SKT / KT"]' in source
    assert '"carsharing_auth.case2_iphone" -> "carsharing_auth.resolved" [label="네, 해결"]' in source
    assert "[상담 연결 ☎]" in source and "octagon" in source
    traffic = flow_graph(catalog, "carsharing_auth", report.flows["carsharing_auth"]).source
    assert 'label="카셰어링\n83% (5)"' in traffic  # 5 of the 6 who reached start took 카셰어링
    assert "도달 3 (50%)\n이탈 1 (33%)" in traffic  # carrier: 3 reached, 1 stopped there


def test_diagram_files(app: Flask, report: Report, tmp_path: Path) -> None:
    catalog = app.extensions["cs_bot"].catalog
    written = write_graphs(catalog, ["carsharing_auth"], tmp_path, report.flows)
    assert [p.name for p in written] == ["carsharing_auth.dot", "carsharing_auth.png"]
    width, height = image_size(tmp_path / "carsharing_auth.png")
    assert width >= 800 and height >= 400 and (tmp_path / "carsharing_auth.png").stat().st_size > 30_000


def test_report_and_graph_commands(
    app: Flask, clock: Clock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known_walks(app, clock)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e.to_fields()) + "\n" for e in recorded(app)), encoding="utf-8")
    out = tmp_path / "out"
    period = ["--from", "2026-11-23", "--to", "2026-11-23", "--events", str(events)]
    assert main(["report", *period, "--flow", "carsharing_auth", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "카셰어링 기기 인증" in printed and "주차 결제 취소" not in printed
    assert "안내 단계대로 해도 해결 안 됨 1" in printed and "steps_not_resolved" not in printed  # Korean
    assert (out / "funnel-carsharing_auth.png").is_file() and (out / "containment.png").is_file()
    with (out / "flows.csv").open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["entered"], row["open"], row["abandoned"]) == ("6", "0", "2")  # made long after: expired
    traffic = ["--traffic", "2026-11-23", "2026-11-23", "--events", str(events)]
    assert main(["graph", "--flow", "parking_lpr", *traffic, "--output", str(out)]) == 0
    assert "도달 1 (100%)" in (out / "parking_lpr.dot").read_text(encoding="utf-8")


def test_commands_explain_what_they_cannot_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--from", "2026-11-30", "--to", "2026-11-01", "--events", str(tmp_path)]) == 2
    assert "is after" in capsys.readouterr().err
    assert main(["report", "--events", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["graph", "--flow", "nope", "--output", str(tmp_path)]) == 2
