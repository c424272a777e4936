"""The agent inbox in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The app is served on a free 127.0.0.1 port from a background thread; handoffs are made by talking to
the bot through POST /skill first. Screenshots of the list and the detail go to the test's tmp dir
(and to $AGENT_INBOX_SCREENSHOTS when set, to look at them).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
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
TOKEN = "browser-agent-token-42"
OTHER = "일반 문의"


@dataclass
class LiveInbox:
    app: Flask
    url: str

    def newest_id(self) -> str:
        return str(self.app.extensions["cs_bot"].handoffs.repo.list(limit=1)[0].record.id)


@pytest.fixture
def live_inbox(tmp_path: Path) -> Iterator[LiveInbox]:
    app = create_app({"agent_token": TOKEN, "handoff_spool_dir": tmp_path / "spool"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="agent-inbox-server", daemon=True)
    thread.start()
    yield LiveInbox(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["cs_bot"].close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ko-KR")
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    problems: list[str] = []
    expected = "Failed to load resource"  # the 401 of a wrong token, the 404 of an unknown handoff
    opened.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and expected not in m.text else None
    )
    opened.on("pageerror", lambda e: problems.append(str(e)))
    yield opened
    context.close()
    assert problems == [], f"browser console errors (CSP, scripts): {problems}"


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    for folder in filter(None, (tmp_path, os.environ.get("AGENT_INBOX_SCREENSHOTS"))):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def row_ids(page: Page) -> list[str]:
    return [row.get_attribute("data-id") or "" for row in page.locator("tr.row").all()]


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_agent_works_through_the_inbox_in_chromium(
    live_inbox: LiveInbox, page: Page, tmp_path: Path
) -> None:
    customer = live_inbox.app.test_client()
    Chat(customer, "a" * 66).say("안녕").tap("그 밖의 문의").say("영수증을 다시 받고 싶어요")
    first = live_inbox.newest_id()
    Chat(customer, "b" * 66).say("주차 안 했는데 결제됐어요").say("상담직원 연결")
    parking = live_inbox.newest_id()
    Chat(customer, "c" * 66).say("안녕").tap("그 밖의 문의").say(
        "<b>포인트</b>가 사라졌어요\n확인 부탁드려요"
    )
    newest = live_inbox.newest_id()

    # sign in: a wrong token first
    page.goto(f"{live_inbox.url}/agent")
    expect(page).to_have_url(f"{live_inbox.url}/agent/login?next=/agent")
    page.fill("#token", "wrong-token")
    page.click("button:has-text('로그인')")
    expect(page.locator(".alert")).to_have_text("토큰이 올바르지 않습니다. 다시 입력해 주세요.")
    page.fill("#token", TOKEN)
    page.click("button:has-text('로그인')")
    expect(page).to_have_url(f"{live_inbox.url}/agent")

    # the list, newest first
    expect(page.locator("tr.row")).to_have_count(3)
    assert row_ids(page) == [newest, parking, first]
    expect(page.get_by_test_id("counts")).to_contain_text("대기 3건 · 처리중 0건")
    expect(page.locator("tr.row").first).to_contain_text("<b>포인트</b>가 사라졌어요")  # shown as text
    assert no_horizontal_scroll(page)
    shoot(page, tmp_path, "agent-list")

    # filter by category
    page.select_option("select[name=category]", OTHER)
    page.click("button:has-text('보기')")
    expect(page.locator("tr.row")).to_have_count(2)
    assert row_ids(page) == [newest, first]

    # open a handoff (a click anywhere on its row) and read it
    page.locator(f"tr.row[data-id='{newest}'] td.summary").click()
    expect(page).to_have_url(re.compile(rf"/agent/handoffs/{newest}\?status=active&category="))
    expect(page.locator("table.facts")).to_contain_text("문의 내용")
    expect(page.locator("table.facts")).to_contain_text("<b>포인트</b>가 사라졌어요")
    bubbles = page.locator(".transcript .bubble")
    expect(bubbles.first).to_have_text("안녕")
    expect(page.locator(".bubble-row.customer .bubble")).to_have_text(
        ["안녕", "그 밖의 문의", "<b>포인트</b>가 사라졌어요\n확인 부탁드려요"]
    )
    expect(page.locator(".bubble-row.customer .tag.tapped")).to_have_count(1)
    expect(page.locator(".pairs")).to_contain_text("c" * 66)
    expect(page.get_by_test_id("status")).to_have_text("대기")
    assert no_horizontal_scroll(page)
    shoot(page, tmp_path, "agent-detail")

    # 처리중, then 완료
    page.click("button:has-text('처리중으로 표시')")
    expect(page.get_by_test_id("status")).to_have_text("처리중")
    page.click("button:has-text('완료로 표시')")
    expect(page.get_by_test_id("status")).to_have_text("완료")
    expect(page.locator("button:has-text('대기로 되돌리기')")).to_be_visible()

    # back to the same list: gone from the default (미완료), present under 완료
    page.click("text=← 목록으로")
    expect(page.locator("select[name=category]")).to_have_value(OTHER)
    assert row_ids(page) == [first]
    page.select_option("select[name=status]", "done")
    page.click("button:has-text('보기')")
    assert row_ids(page) == [newest]
    expect(page.locator(f"tr.row[data-id='{newest}'] .badge")).to_have_text("완료")
    expect(page.get_by_test_id("counts")).to_contain_text("대기 1건 · 처리중 0건 · 완료 1건")


def test_logging_out_in_chromium_needs_a_new_sign_in(live_inbox: LiveInbox, page: Page) -> None:
    page.goto(f"{live_inbox.url}/agent/handoffs/H-unknown")
    page.fill("#token", TOKEN)
    page.click("button:has-text('로그인')")
    expect(page).to_have_url(f"{live_inbox.url}/agent/handoffs/H-unknown")
    expect(page.locator("h1")).to_have_text("상담 요청을 찾을 수 없습니다")
    page.click("button:has-text('로그아웃')")
    expect(page).to_have_url(f"{live_inbox.url}/agent/login")
    page.goto(f"{live_inbox.url}/agent")
    expect(page).to_have_url(f"{live_inbox.url}/agent/login?next=/agent")
    cookies = page.context.cookies()
    assert all(c["name"] != "agent_session" for c in cookies)
