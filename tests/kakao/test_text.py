"""split_text / simple_texts: chunks fit, breaks go where a reader expects them, words stay whole."""

import logging
import random
import re

import pytest

from app.kakao import SimpleText, simple_texts, split_text

SENTENCE = "주차 안 했는데 결제가 됐다면 이용내역에서 해당 건을 선택하고 결제 취소를 눌러 주세요. "
PARAGRAPH = (SENTENCE * 8).strip()  # ~400 characters, many words


def words(text: str) -> list[str]:
    return text.split()


def assert_well_formed(chunks: list[str], text: str, limit: int) -> None:
    assert chunks, "non-blank text gives at least one chunk"
    for chunk in chunks:
        assert 0 < len(chunk) <= limit
        assert chunk == chunk.strip()
    assert words(" ".join(chunks)) == words(text), "no word is cut, lost or duplicated"


def test_short_text_is_one_stripped_chunk() -> None:
    assert split_text("  기기 인증이 안돼요\n다시 해볼게요  ") == ["기기 인증이 안돼요\n다시 해볼게요"]
    assert split_text("가" * 1000) == ["가" * 1000]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_blank_text_gives_nothing(text: str) -> None:
    assert split_text(text) == []
    assert simple_texts(text) == []


def test_prefers_the_last_paragraph_break() -> None:
    text = "\n\n".join([PARAGRAPH, PARAGRAPH, PARAGRAPH])
    chunks = split_text(text)
    assert chunks == [f"{PARAGRAPH}\n\n{PARAGRAPH}", PARAGRAPH]
    assert_well_formed(chunks, text, 1000)


def test_falls_back_to_line_breaks_then_spaces() -> None:
    lines = "\n".join([PARAGRAPH] * 3)
    assert split_text(lines) == [f"{PARAGRAPH}\n{PARAGRAPH}", PARAGRAPH]
    one_paragraph = " ".join([PARAGRAPH] * 4)
    chunks = split_text(one_paragraph)
    assert len(chunks) == 2
    assert len(chunks[0]) > 900
    assert_well_formed(chunks, one_paragraph, 1000)


def test_an_early_paragraph_break_does_not_make_a_tiny_chunk() -> None:
    text = "안내\n\n" + " ".join([PARAGRAPH] * 3)
    chunks = split_text(text)
    assert len(chunks[0]) > 500
    assert chunks[0].startswith("안내\n\n")
    assert_well_formed(chunks, text, 1000)


@pytest.mark.parametrize("limit", [1, 5, 13, 50, 99, 230, 500, 1000])
def test_every_chunk_fits_and_no_word_is_cut(limit: int) -> None:
    text = "\n\n".join([PARAGRAPH, "차량 번호: 12가3456\n결제 시간: 어제 오후 3시", PARAGRAPH * 3])
    chunks = split_text(text, limit)
    longest_word = max(len(word) for word in words(text))
    if limit >= longest_word:
        assert_well_formed(chunks, text, limit)
    else:
        assert all(len(chunk) <= limit for chunk in chunks)


def test_whitespace_exactly_at_the_limit_is_used() -> None:
    assert split_text("가나다 라마바", limit=3) == ["가나다", "라마바"]
    assert split_text("가나다\n\n라마바", limit=4) == ["가나다", "라마바"]


def test_word_longer_than_the_limit_is_hard_cut_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    url = "https://example.com/" + "a" * 30
    with caplog.at_level(logging.WARNING, logger="app.kakao.text"):
        chunks = split_text(f"링크: {url} 확인", limit=20)
    assert chunks == ["링크:", url[:20], url[20:40], url[40:] + " 확인"]
    assert "was cut" in caplog.text


def test_text_without_any_space_is_cut_at_the_limit(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="app.kakao.text"):
        chunks = split_text("가" * 2500)
    assert [len(chunk) for chunk in chunks] == [1000, 1000, 500]
    assert caplog.records


def test_no_warning_when_nothing_is_hard_cut(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="app.kakao.text"):
        split_text(" ".join([PARAGRAPH] * 5))
    assert not caplog.records


def test_windows_line_endings_count_as_breaks() -> None:
    text = "\r\n\r\n".join([PARAGRAPH] * 3)
    assert split_text(text) == [f"{PARAGRAPH}\n\n{PARAGRAPH}", PARAGRAPH]


def test_invalid_limit() -> None:
    with pytest.raises(ValueError, match=r"limit"):
        split_text("가", 0)


def test_simple_texts() -> None:
    texts = simple_texts("\n\n".join([PARAGRAPH] * 3))
    assert texts == [SimpleText(f"{PARAGRAPH}\n\n{PARAGRAPH}"), SimpleText(PARAGRAPH)]
    assert all(re.fullmatch(r"\S(.|\n)*\S", text.text) for text in texts)


@pytest.mark.parametrize("seed", range(20))
def test_random_korean_texts_keep_every_word(seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = [
        "주차",
        "결제",
        "취소",
        "충전기가",
        "작동하지",
        "않아요",
        "12가3456",
        "https://example.com/a",
        ".",
    ]
    separators = [" ", " ", " ", "\n", "\n\n", "  "]
    text = "".join(rng.choice(vocabulary) + rng.choice(separators) for _ in range(rng.randint(50, 900)))
    limit = rng.choice([30, 100, 500, 1000])
    assert_well_formed(split_text(text, limit), text, limit)
