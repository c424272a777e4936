"""A replayed sample of conversations for the README's example report and diagram.

Drives the real app (Flask test client, in-memory store) through scripted walks — taps and typed
messages, as KakaoTalk sends them — spread over a week with a fixed random seed, writes the events
as JSON lines, then runs `cs-bot report` and `cs-bot graph` on them:

    .venv/bin/python scripts/insight_sample.py docs/insight

Walk steps: "tap:<label>" taps a quick reply of the last answer, anything else is typed.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app import create_app
from app.cli import main as cs_bot
from app.handoff.record import SEOUL

FIRST_DAY = datetime(2026, 11, 23, tzinfo=SEOUL)
DAYS = 7

CARSHARING = ["tap:카셰어링 기기 인증", "tap:카셰어링", "tap:네, 모두 맞아요"]
EV = ["tap:전기차 충전 오류"]
PARKING = ["tap:주차 결제 취소", "tap:네, 본인이에요", "12가3456", "tap:네, 맞아요", "tap:네, 인증했어요"]
WALKS: list[tuple[int, list[str]]] = [  # (weight, steps)
    (14, [*CARSHARING, "tap:SKT", "tap:아이폰", "tap:네, 해결됐어요", "tap:😀 만족해요"]),
    (5, [*CARSHARING, "tap:KT", "tap:갤럭시/안드로이드", "tap:네, 해결됐어요", "tap:🙂 보통이에요"]),
    (4, [*CARSHARING, "tap:LG U+", "tap:아이폰", "tap:네, 해결됐어요"]),
    (6, [*CARSHARING, "tap:알뜰폰", "tap:갤럭시/안드로이드", "tap:아니요"]),
    (4, [*CARSHARING, "tap:SKT", "tap:갤럭시/안드로이드", "tap:아니요"]),
    (5, ["tap:카셰어링 기기 인증", "tap:카셰어링", "tap:아니요", "tap:확인했어요"]),
    (5, ["기기 인증이 안 돼요", "tap:카셰어링", "tap:네, 모두 맞아요", "tap:KT"]),  # stops: expires
    (3, ["기기 인증이 안 돼요", "tap:배달 예약", "tap:네, 해결됐어요", "tap:😞 아쉬워요"]),
    (3, [*CARSHARING, "tap:상담직원 연결"]),
    (8, [*EV, "tap:충전 끝났는데 이용 중", "tap:기다려 볼게요"]),
    (6, [*EV, "tap:인증 중/커넥터 연결", "tap:앱으로 제보할게요"]),
    (
        5,
        [
            *EV,
            "tap:인증실패/충전실패",
            "tap:앱 제보가 안 돼요",
            "강남역 충전소",
            "3번",
            "앱에서 인증하기를 눌렀어요",
        ],
    ),
    (4, [*EV, "tap:인증실패/충전실패", "tap:담당부서 전달 원해요"]),  # stops: expires
    (3, ["충전기 커넥터 꽂았는데 계속 인증 중이에요", "tap:앱으로 제보할게요"]),
    (3, ["충전이 끝났는데 계속 이용중으로 나와요", "tap:지금 확인이 필요해요", "tap:상담직원 연결"]),
    (6, [*PARKING, "어제 오후 3시", "강남역 공영주차장", "tap:결제 완료", "tap:취소 요청하기"]),
    (
        5,
        [
            *PARKING,
            "어제 오후 3시",
            "강남역 공영주차장",
            "tap:앱에서 직접 취소",
            "tap:확인했어요",
            "tap:😀 만족해요",
        ],
    ),
    (4, ["주차 요금이 잘못 나갔어요", "tap:네, 본인이에요", "12가3456", "tap:네, 맞아요", "tap:아니요"]),
    (4, ["tap:주차 결제 취소", "tap:아니요"]),
    (3, ["tap:주차 결제 취소", "tap:네, 본인이에요", "몰라요", "모르겠어요"]),  # stops: expires
    (5, ["점심 메뉴 추천해 주세요"]),
    (3, ["택시 기사님 번호 010-9876-5432 좀 알려주세요"]),
    (3, ["대리운전 요금이 궁금해요"]),
    (4, ["충전기가 인증이 안 돼요"]),  # a near-miss: an example to add to the EV guide's entries
    (2, ["상담직원 연결"]),
]


class Walker:
    def __init__(self, client: Any, user: str) -> None:
        self.client, self.user, self.last = client, user, {}

    def step(self, step: str) -> None:
        utterance, extra = step, None
        if step.startswith("tap:") and not self.last:
            self.step("안녕하세요")  # the menu first
        if step.startswith("tap:"):
            label = step[4:]
            offered = {q["label"]: q for q in self.last.get("template", {}).get("quickReplies", [])}
            if label not in offered:
                raise SystemExit(f"{label!r} not offered (offered: {list(offered)})")
            utterance, extra = offered[label].get("messageText", label), offered[label].get("extra")
        body = {
            "userRequest": {"utterance": utterance, "user": {"id": self.user, "properties": {}}},
            "action": {"clientExtra": extra},
        }
        response = self.client.post("/skill", json=body)
        self.last = response.get_json()


def record(events_file: Path) -> None:
    app = create_app({"business_hours": "mon-sun 00:00-24:00", "public_holidays": False})
    conversations = app.extensions["cs_bot"].conversations
    client = app.test_client()
    rng = random.Random(12)
    weights = [w for w, _ in WALKS]
    for number in range(160):
        _, steps = rng.choices(WALKS, weights)[0]
        day = rng.randrange(DAYS)
        moment = FIRST_DAY + timedelta(days=day, hours=rng.randrange(8, 22), minutes=rng.randrange(60))
        walker = Walker(client, f"sample-{number:04d}")
        for step in steps:
            conversations.clock = lambda moment=moment: moment  # type: ignore[misc]
            walker.step(step)
            moment += timedelta(seconds=rng.randrange(15, 90))
    events = conversations.insight.log.read()
    with events_file.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event.to_fields(), ensure_ascii=False) + "\n")
    app.extensions["cs_bot"].close()


def main(output: Path) -> int:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        events = Path(scratch) / "events.jsonl"
        record(events)
        last = (FIRST_DAY + timedelta(days=DAYS - 1)).date().isoformat()
        first = FIRST_DAY.date().isoformat()
        period = ["--from", first, "--to", last, "--events", str(events)]
        status = cs_bot(["report", *period, "--output", str(output)])
        traffic = ["--traffic", first, last, "--events", str(events)]
        return status or cs_bot(["graph", *traffic, "--output", str(output)])


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/insight")))
