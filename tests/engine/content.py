"""A small, self-contained catalog for engine tests (independent of the real wording in skills/)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from app.engine.catalog import Catalog
from app.engine.loader import load_catalog

BOT = """
home: main.menu
agent: main.agent
resolved: main.resolved
default_category: 일반 문의
home_command: {label: 처음으로, aliases: [처음, 메뉴]}
back_command: {label: 이전, aliases: [뒤로]}
agent_command: {label: 상담직원 연결, aliases: [상담원], contains: [상담원, 상담사]}
answer_yes: {label: 네, aliases: [예, 해결됐어요, 됐어요]}
answer_no: {label: 아니요, aliases: [아니, 안돼요], contains: [안됐, 안돼, 아직]}
out_of_scope: main.out_of_scope
handoff_status: main.handoff_status
clarify: main.clarify
"""

UNDERSTANDING = """
thresholds: {accept: 0.4, clarify_margin: 0.1, clarify_floor: 0.6, switch: 0.7, after_handoff: 0.25}
handoff_status:
  [언제 연결돼요, 접수됐나요, 아직 기다려야 하나요, 연결 언제 돼요, 얼마나 기다려요, 답변이 없어요]
out_of_scope:
  - 택시 기사님이 불친절했어요
  - 회원 탈퇴하고 싶어요
  - 쿠폰은 어디서 받아요
  - 영수증 발급해 주세요
  - 대리운전 요금이 궁금해요
  - 비밀번호를 잊어버렸어요
  - 포인트 적립이 안 됐어요
  - 충전소 위치 알려주세요
  - 충전 요금 얼마예요
  - 기차표 환불하고 싶어요
  - 앱이 자꾸 꺼져요
  - 카드 등록은 어떻게 해요
  - 분실물을 찾고 싶어요
  - 바이크 반납이 안 돼요
"""

MAIN = """
flow: main
title: 메인
start: menu
entries:
  - next: menu
    label: 처음 화면
    examples: [안녕하세요, 안녕, 문의할게 있어요, 도와주세요, hi, 저기요, 질문 있어요]
nodes:
  menu:
    kind: choice
    say: [main.welcome]
    choices:
      - {label: 기기 인증, next: demo.carrier, aliases: [인증, 충전소]}
      - {label: 기타 문의, next: agent}
  out_of_scope:
    kind: choice
    say: [main.out_of_scope]
    choices:
      - {label: 기기 인증, next: demo.carrier, aliases: [인증, 충전소]}
      - {label: 기타 문의, next: agent}
  handoff_status:
    kind: close
    say: [main.handoff_status]
  agent: {kind: handoff, reason: customer_request}
  resolved: {kind: close, say: [main.bye]}
"""

DEMO = """
flow: demo
title: 데모
start: carrier
category: 렌터카 ▶ 카셰어링
facts: {carrier: 통신사, device: 기기, station: {label: 충전소, customer_visible: false}, plate: 차량번호}
agent: handoff
entries:
  - next: carrier
    label: 기기 인증
    examples: [기기인증, 기기 인증이 안 돼요, 인증 문자가 안 와요, 인증 문자를 보냈는데 실패해요,
               휴대폰 인증 실패, 기기 인증 오류, 폰 인증이 안 됩니다, 인증 문자 전송 실패]
  - next: station
    label: 충전소 알려주기
    examples: [충전소 번호 알려드릴게요, 충전소 번호는 1234예요, 충전소 번호 말씀드릴게요, 충전소 번호 여기요,
               충전소 번호랑 충전기 번호 알려 드려요, 충전소 번호 불러 드릴게요]
nodes:
  carrier:
    kind: choice
    say: [demo.carrier_q]
    choices:
      - {label: SKT, next: device, set: {carrier: skt}, aliases: [SK텔레콤, 에스케이]}
      - {label: KT, next: device, set: {carrier: kt}, aliases: [케이티]}
      - {label: LG U+, next: device, set: {carrier: lgu}, aliases: [유플러스, u+, lgu+]}
      - {label: 알뜰폰, next: device, set: {carrier: mvno}}
  device:
    kind: choice
    say: [demo.device_q]
    choices:
      - {label: 아이폰, next: route, set: {device: iphone}, aliases: [iphone]}
      - {label: 갤럭시/안드로이드, next: route, set: {device: android}, aliases: [갤럭시, 안드로이드]}
  route:
    kind: branch
    cases:
      - {when: {carrier: [lgu, mvno], device: iphone}, next: case1}
      - {when: {carrier: [skt, kt]}, next: case2}
    otherwise: other
  case1: {kind: end, say: [demo.case1], on_no: handoff}
  case2:
    kind: end
    say:
      - demo.case2
      - card:
          title: demo.card_title
          text: demo.card_text
          buttons: [{label: 고객센터, url: "{{ vars.center }}"}]
    on_no: handoff
  other: {kind: message, say: [demo.other], next: station}
  station:
    kind: ask
    say: [demo.station_q]
    save: station
    validator: short_text
    hint: demo.station_hint
    next: plate
  plate:
    kind: ask
    say: [demo.plate_q]
    save: plate
    validator: plate
    hint: demo.plate_hint
    next: done
    choices: [{label: 모르겠어요, next: handoff}]
    agent: plate_handoff
  done: {kind: end, say: [demo.done], on_no: handoff, on_yes: bye}
  bye: {kind: close, say: [demo.bye]}
  handoff:
    kind: handoff
    reason: not_solved
    agent_notes: [demo.agent_note]
  plate_handoff:
    kind: handoff
    category: 차량 ▶ 번호
    agent_notes: [demo.agent_note]
"""

COMMON = """
choice_retry: RETRY-CHOICE
retry_limit: RETRY-LIMIT
restart_notice: NOTICE-RESTART
expired_notice: NOTICE-EXPIRED
resolved_question: QUESTION-RESOLVED
handoff_notice: "{% if agents and not agents.available %}CLOSED-UNTIL {{ agents.back }}{% endif %}"
handoff_title: HANDOFF-TITLE
handoff_text: "HANDOFF-TEXT{% for f in facts %} {{ f.label }}={{ f.value }}{% endfor %}"
stale_tap: STALE-TAP
"""

MAIN_TEXTS = """
welcome: "WELCOME {{ vars.brand }}"
out_of_scope: OUT-OF-SCOPE
clarify: CLARIFY
handoff_status: "HANDOFF-STATUS {{ handoff_at }}"
bye: MAIN-BYE
"""

DEMO_TEXTS = """
carrier_q: Q-CARRIER
device_q: Q-DEVICE
case1: CASE1 통신사={{ carrier }}
case2: CASE2
card_title: CARD-TITLE
card_text: CARD-TEXT
other: OTHER
station_q: Q-STATION
station_hint: HINT-STATION
plate_q: Q-PLATE
plate_hint: "HINT-PLATE (예: 12가3456)"
done: DONE {{ plate }}
bye: DEMO-BYE
agent_note: "AGENT-ONLY 어드민에서 {{ carrier }} 확인"
"""

VARS = """
brand: 테스트
center: https://example.com/center
"""


def write_content(root: Path, **overrides: str) -> tuple[Path, Path]:
    """Write the demo content under `root`; keyword arguments replace files (`demo="..."`)."""
    skills, templates = root / "skills", root / "templates"
    skills.mkdir(parents=True, exist_ok=True)
    templates.mkdir(parents=True, exist_ok=True)
    files = {
        skills / "_bot.yaml": overrides.get("bot", BOT),
        skills / "_vars.yaml": overrides.get("vars", VARS),
        skills / "_understanding.yaml": overrides.get("understanding", UNDERSTANDING),
        skills / "main.yaml": overrides.get("main", MAIN),
        skills / "demo.yaml": overrides.get("demo", DEMO),
        templates / "common.yaml": overrides.get("common", COMMON),
        templates / "main.yaml": overrides.get("main_texts", MAIN_TEXTS),
        templates / "demo.yaml": overrides.get("demo_texts", DEMO_TEXTS),
    }
    for path, text in files.items():
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return skills, templates


def demo_catalog(root: Path, **overrides: str) -> Catalog:
    return load_catalog(*write_content(root, **overrides))
