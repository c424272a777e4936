"""The agent inbox in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The app is served on a free 127.0.0.1 port from a background thread; handoffs are made by talking to
the bot through POST /skill first. Every page is checked at 1366, 768 and 390 px (a laptop, a tablet,
a phone) for horizontal overflow, with a Korean font installed (scripts/install-chromium.sh) and
checked to draw Hangul. Screenshots go to the test's tmp dir (and to $AGENT_INBOX_SCREENSHOTS when
set, to look at them).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.agents.accounts import new_agent
from tests.chat import Chat

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "browser-agent-token-0123456789"
OTHER = "일반 문의"
KIM, LEE, PASSWORD = "김상담", "이리드", "password-browser-1"
WIDTHS = {"laptop": (1366, 800), "tablet": (768, 1024), "phone": (390, 844)}


@dataclass
class LiveInbox:
    app: Flask
    url: str

    def newest_id(self) -> str:
        return str(self.app.extensions["cs_bot"].handoffs.repo.list(limit=1)[0].record.id)


@pytest.fixture
def live_inbox(tmp_path: Path) -> Iterator[LiveInbox]:
    app = create_app(
        {
            "agent_token": TOKEN,
            "handoff_spool_dir": tmp_path / "spool",
            "agents_file": tmp_path / "agents.json",
            "rate_limit": "1000/second",  # the long-transcript test types fast
        }
    )
    accounts = app.extensions["agent_desk"].accounts
    accounts.add(new_agent(KIM, PASSWORD, "agent"))
    accounts.add(new_agent(LEE, PASSWORD, "lead"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="agent-inbox-server", daemon=True)
    thread.start()
    yield LiveInbox(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["cs_bot"].close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    korean = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=False)
    if not korean.stdout.strip():
        pytest.fail(
            "no Korean font: screenshots would show empty boxes. Run scripts/install-chromium.sh "
            "(installs fonts-nanum).",
            pytrace=False,
        )
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the agent inbox browser tests need Debian's Chromium. "
            "Install it with scripts/install-chromium.sh (apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield found
        found.close()


class Pages:
    """Browser pages (each its own context: its own cookies, i.e. its own agent) at one screen size."""

    def __init__(self, browser: Browser, size: tuple[int, int]) -> None:
        self.browser, self.size = browser, size
        self.contexts: list[Any] = []
        self.problems: list[str] = []

    def open(self) -> Page:
        width, height = self.size
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
        self.contexts.append(context)
        opened = context.new_page()
        opened.set_default_timeout(15_000)
        expected = "Failed to load resource"  # the 401 of a wrong password, a 404, a refused claim
        opened.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" and expected not in m.text else None,
        )
        opened.on("pageerror", lambda e: self.problems.append(str(e)))
        return opened

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(params=list(WIDTHS))
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Pages]:
    found = Pages(browser, WIDTHS[request.param])
    yield found
    found.close()
    assert found.problems == [], f"browser console errors (CSP, scripts): {found.problems}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    found = Pages(browser, WIDTHS["laptop"])
    yield found.open()
    found.close()
    assert found.problems == [], f"browser console errors (CSP, scripts): {found.problems}"


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    for folder in filter(None, (tmp_path, os.environ.get("AGENT_INBOX_SCREENSHOTS"))):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def row_ids(page: Page) -> list[str]:
    return [row.get_attribute("data-id") or "" for row in page.locator("tr.row").all()]


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def overflowing(page: Page) -> list[str]:
    """Elements that stick out of the window on the right (what makes a phone scroll sideways)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
            .map(e => e.tagName.toLowerCase() + '.' + e.className + ': '
                      + e.textContent.trim().slice(0, 30))"""
    )
    return found


def fits(page: Page) -> None:
    assert no_horizontal_scroll(page) and overflowing(page) == [], overflowing(page)


def draws_hangul(page: Page) -> bool:
    """A Korean font is used: 가 and 나 come out as different shapes (two empty boxes would match)."""
    return bool(
        page.evaluate(
            """() => {
                const font = getComputedStyle(document.body).fontFamily;
                const draw = (ch) => {
                    const c = document.createElement('canvas'); c.width = 40; c.height = 40;
                    const g = c.getContext('2d'); g.font = '28px ' + font; g.fillText(ch, 4, 30);
                    return c.toDataURL();
                };
                return draw('가') !== draw('나') && draw('가') !== draw('\ue000');
            }"""
        )
    )


def sign_in(page: Page, base: str, name: str, wanted: str = "/agent") -> None:
    page.goto(f"{base}{wanted}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('로그인')")
    expect(page).to_have_url(f"{base}{wanted}")


def make_handoffs(live: LiveInbox) -> dict[str, str]:
    customer = live.app.test_client()
    Chat(customer, "a" * 66).say("안녕").tap("그 밖의 문의").say("영수증을 다시 받고 싶어요")
    first = live.newest_id()
    Chat(customer, "b" * 66).say("주차 안 했는데 결제됐어요").say("상담직원 연결")
    parking = live.newest_id()
    Chat(customer, "c" * 66).say("안녕").tap("그 밖의 문의").say(
        "<b>포인트</b>가 사라졌어요\n확인 부탁드려요 https://example.com/point?id=1"
    )
    newest = live.newest_id()
    return {"first": first, "parking": parking, "newest": newest}


def test_the_inbox_fits_every_screen_with_korean_text(
    live_inbox: LiveInbox, pages: Pages, tmp_path: Path
) -> None:
    made = make_handoffs(live_inbox)
    width = pages.size[0]
    page = pages.open()

    page.goto(f"{live_inbox.url}/agent")
    expect(page).to_have_url(f"{live_inbox.url}/agent/login?next=/agent")
    assert draws_hangul(page), "Korean text is drawn as empty boxes: no Korean font"
    fits(page)
    shoot(page, tmp_path, f"login-{width}")
    page.fill("#name", KIM)
    page.fill("#password", "wrong-password")
    page.click("button:has-text('로그인')")
    expect(page.locator(".alert")).to_have_text("이름 또는 비밀번호가 올바르지 않습니다. 다시 입력해 주세요.")
    sign_in(page, live_inbox.url, KIM)

    expect(page.locator("tr.row")).to_have_count(3)
    assert row_ids(page) == [made["newest"], made["parking"], made["first"]]
    expect(page).to_have_title("(3) 상담 요청 · 상담 인박스")
    expect(page.get_by_test_id("counts")).to_contain_text("대기 3건 · 처리중 0건")
    expect(page.locator("tr.row").first).to_contain_text("<b>포인트</b>가 사라졌어요")  # shown as text
    summary = page.locator("tr.row").first.locator("td.summary").bounding_box()
    assert summary is not None and summary["width"] >= min(200, width * 0.45)  # not one character wide
    if width < 640:  # phones: cards, no table header
        expect(page.locator("thead")).to_be_hidden()
        category = page.locator("tr.row").first.locator("td.category").bounding_box()
        assert category is not None and category["width"] > width * 0.7  # 상담유형 on one wide line
    fits(page)
    shoot(page, tmp_path, f"list-{width}")

    page.locator(f"tr.row[data-id='{made['newest']}'] td.summary").click()
    expect(page).to_have_url(re.compile(rf"/agent/handoffs/{made['newest']}"))
    expect(page.locator("table.facts")).to_contain_text("<b>포인트</b>가 사라졌어요")
    expect(page.locator(".bubble-row.customer .bubble")).to_have_text(
        ["안녕", "그 밖의 문의", "<b>포인트</b>가 사라졌어요\n확인 부탁드려요 https://example.com/point?id=1"]
    )
    expect(page.locator(".pairs")).to_contain_text("c" * 66)
    moment = page.locator(".bubble-row.moment")
    expect(moment).to_be_visible()
    box, area = moment.bounding_box(), page.locator("#transcript").bounding_box()
    assert box and area and area["y"] <= box["y"] <= area["y"] + area["height"]  # in the transcript's view
    expect(page.locator("button.primary")).to_have_text("담당하기")
    fits(page)
    shoot(page, tmp_path, f"detail-{width}")

    parking = f"{live_inbox.url}/agent/handoffs/{made['parking']}"
    page.goto(parking)
    fits(page)
    shoot(page, tmp_path, f"detail-parking-{width}")


def test_two_agents_claim_work_and_finish_a_handoff_with_its_history(
    live_inbox: LiveInbox, page: Page, browser: Browser, tmp_path: Path
) -> None:
    made = make_handoffs(live_inbox)
    url = f"/agent/handoffs/{made['parking']}"
    kim, lee = page, Pages(browser, WIDTHS["laptop"]).open()
    sign_in(kim, live_inbox.url, KIM, url)
    sign_in(lee, live_inbox.url, LEE, url)

    kim.click("button:has-text('담당하기')")
    expect(kim.get_by_test_id("assignee")).to_contain_text(KIM)
    expect(kim.locator("button.primary")).to_have_text("처리중으로 표시")
    kim.click("button:has-text('처리중으로 표시')")
    expect(kim.get_by_test_id("status")).to_have_text("처리중")
    expect(kim.locator("button.primary")).to_have_text("완료로 표시")

    lee.reload()
    expect(lee.get_by_test_id("assignee")).to_contain_text(KIM)
    expect(lee.locator("button:has-text('담당하기')")).to_have_count(0)  # no second holder
    lee.click("button:has-text('내가 맡기')")  # a lead takes it over
    expect(lee.get_by_test_id("assignee")).to_contain_text(LEE)
    lee.click("button:has-text('완료로 표시')")
    expect(lee.get_by_test_id("status")).to_have_text("완료")
    expect(lee.locator("a.button.primary")).to_have_text("다음 상담 요청 보기")

    kim.reload()
    expect(kim.get_by_test_id("held")).to_have_count(0)
    expect(kim.get_by_test_id("history").locator("li")).to_have_text(
        [
            re.compile(r"챗봇 접수 · 고객이 상담직원 연결 요청"),
            re.compile(rf"{KIM} 담당 · {KIM}$"),
            re.compile(rf"{KIM} 상태 변경 · 대기 → 처리중$"),
            re.compile(rf"{LEE} 담당자 변경 · {KIM} → {LEE}$"),
            re.compile(rf"{LEE} 상태 변경 · 처리중 → 완료$"),
        ]
    )
    kim.fill("textarea[name=memo]", "환불 완료, 고객 안내함")
    kim.click("button:has-text('메모 저장')")
    expect(kim.get_by_test_id("memo-meta")).to_contain_text(f"{KIM} ·")
    shoot(kim, tmp_path, "detail-history-1366")

    kim.click("text=← 목록으로")
    assert made["parking"] not in row_ids(kim)  # done: gone from 미완료
    kim.check("input[name=mine]")
    kim.click("button:has-text('보기')")
    expect(kim.locator("tr.row")).to_have_count(0)  # 완료 is not in 미완료, and LEE holds it now


def test_new_handoffs_appear_without_a_reload(live_inbox: LiveInbox, page: Page) -> None:
    Chat(live_inbox.app.test_client(), "e" * 66).say("주차 안 했는데 결제됐어요").say("상담직원 연결")
    sign_in(page, live_inbox.url, KIM)
    expect(page.locator("tr.row")).to_have_count(1)
    expect(page).to_have_title("(1) 상담 요청 · 상담 인박스")
    Chat(live_inbox.app.test_client(), "f" * 66).say("안녕").tap("그 밖의 문의").say("새 문의예요")
    expect(page.locator("tr.row")).to_have_count(2, timeout=15_000)  # the page polls every 5 s
    expect(page).to_have_title("(2) 상담 요청 · 상담 인박스", timeout=15_000)
    page.locator("tr.row").first.click()  # rows stay clickable after the refresh
    expect(page).to_have_url(re.compile(r"/agent/handoffs/H-"))


def test_logging_out_in_chromium_needs_a_new_sign_in(live_inbox: LiveInbox, page: Page) -> None:
    sign_in(page, live_inbox.url, KIM, "/agent/handoffs/H-unknown")
    expect(page.locator("h1")).to_have_text("상담 요청을 찾을 수 없습니다")
    page.click("button:has-text('로그아웃')")
    expect(page).to_have_url(f"{live_inbox.url}/agent/login")
    page.goto(f"{live_inbox.url}/agent")
    expect(page).to_have_url(f"{live_inbox.url}/agent/login?next=/agent")
    cookies = page.context.cookies()
    assert all(c["name"] != "agent_session" for c in cookies)


def test_a_long_transcript_opens_at_the_handoff_moment(
    live_inbox: LiveInbox, pages: Pages, tmp_path: Path
) -> None:
    chat = Chat(live_inbox.app.test_client(), "g" * 66)
    for n in range(12):
        chat.say(f"{n}번째 질문이에요").say("처음으로")
    chat.say("주차 안 했는데 결제됐어요").say("상담직원 연결")
    page = pages.open()
    sign_in(page, live_inbox.url, KIM, f"/agent/handoffs/{live_inbox.newest_id()}")
    area = page.locator("#transcript").bounding_box()
    moment = page.locator(".bubble-row.moment").bounding_box()
    oldest = page.locator(".bubble-row").first.bounding_box()
    assert area and moment and oldest
    assert area["y"] <= moment["y"] and moment["y"] + moment["height"] <= area["y"] + area["height"]
    assert oldest["y"] + oldest["height"] < area["y"]  # the first lines are scrolled away, above
    expect(page.locator(".bubble-row.moment .bubble")).to_have_text("상담직원 연결")
    fits(page)
    shoot(page, tmp_path, f"detail-long-{pages.size[0]}")
