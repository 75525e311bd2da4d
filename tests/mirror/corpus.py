"""Text pools for the mirror, cut from the shared corpus of real-style Báo Biên phòng articles.

The mirror recombines these sentences, titles, captions and names into as many articles as it is
asked for. The corpus is vendored under `data/` (a copy of `shared/corpus/articles.json`) so a
fresh clone runs its tests without anything beside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CORPUS_PATH = Path(__file__).parent / "data" / "articles.json"

_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ỸĐ“\"0-9])")
_CREDIT = re.compile(r"\s*Ảnh:\s*(.+)$")

# Names seen in the corpus bylines and credits, then common Vietnamese reporter names, so bylines
# and credits vary across thousands of articles.
_EXTRA_NAMES = (
    "Thu Hà",
    "Minh Huyền",
    "Quang Hùng",
    "Phan Trang",
    "Ngọc Tú",
    "Trần Quang Minh",
    "Lê Thị Thu Hương",
    "Đặng Quyền",
    "Hoàng Anh",
    "Nguyễn Mạnh Hùng",
    "Phạm Thu Thủy",
    "Vũ Đức Anh",
    "Đỗ Hương Giang",
    "Bùi Văn Sơn",
    "Hà Thanh Đạm",
)

# Tags beyond the corpus's own, as the site displays them.
_EXTRA_TAGS = (
    "Đồn Biên phòng cửa khẩu",
    "Bộ đội Biên phòng",
    "Tuần tra song phương",
    "Phòng, chống ma túy",
    "Xuân Biên phòng ấm lòng dân bản",
    "Chủ quyền biển, đảo",
    "Biên giới Việt Nam - Campuchia",
    "Đảng ủy BĐBP",
    "Nâng bước em tới trường",
    "Con nuôi đồn Biên phòng",
    "Thầy giáo quân hàm xanh",
    "Cứu hộ cứu nạn",
    "Phòng, chống buôn lậu",
    "Ngày Biên phòng toàn dân",
    "Kinh tế biên giới",
    "Ngư dân bám biển",
    "Hội Liên hiệp Phụ nữ",
    "An ninh trật tự",
)

_EXTRA_INTERTITLES = (
    "Phát huy sức mạnh tổng hợp",
    "Những kết quả đáng ghi nhận",
    "Nơi phên dậu vững vàng",
    "Gắn bó với dân bản",
    "Nhiệm vụ trong thời gian tới",
    "Ấm áp tình quân dân",
)

_ADVERTORIAL_TITLES = (
    "Top 10 công ty luật uy tín tại Hà Nội",
    "Top 5 cửa hàng điện thoại giá tốt nhất tại TP Hồ Chí Minh",
    "Địa chỉ sửa chữa máy tính uy tín, giá rẻ",
    "Top 7 trung tâm tiếng Anh chất lượng cho người đi làm",
)

# Leads of paid posts: a pitch of their own, not a sentence of the body repeated.
_ADVERTORIAL_LEADS = (
    "Với hơn 10 năm kinh nghiệm, đơn vị đã trở thành địa chỉ tin cậy của hàng nghìn khách hàng.",
    "Bài viết tổng hợp những địa chỉ được đánh giá cao về chất lượng dịch vụ và giá cả.",
    "Dưới đây là danh sách được nhiều người tiêu dùng lựa chọn trong năm qua.",
    "Lựa chọn đúng địa chỉ giúp khách hàng tiết kiệm thời gian và chi phí.",
)

_ADVERTORIAL_SENTENCES = (
    "Khách hàng được tư vấn miễn phí và hỗ trợ tận nơi trong suốt quá trình sử dụng dịch vụ.",
    "Đội ngũ nhân viên giàu kinh nghiệm, làm việc chuyên nghiệp và tận tâm với khách hàng.",
    "Giá cả minh bạch, niêm yết công khai, cam kết không phát sinh chi phí.",
    "Hệ thống cửa hàng trải rộng tại nhiều quận, huyện, thuận tiện cho việc đi lại.",
    "Chế độ bảo hành dài hạn, đổi trả trong vòng 30 ngày nếu sản phẩm có lỗi.",
    "Nhiều chương trình ưu đãi hấp dẫn dành cho khách hàng thân thiết.",
)


@dataclass(frozen=True)
class Pools:
    """Every text pool the generator draws from; tuples so choices are indexable and immutable."""

    sentences: tuple[str, ...]
    titles: tuple[str, ...]
    captions: tuple[str, ...]
    names: tuple[str, ...]
    tags: tuple[str, ...]
    intertitles: tuple[str, ...]
    advertorial_titles: tuple[str, ...] = _ADVERTORIAL_TITLES
    advertorial_sentences: tuple[str, ...] = _ADVERTORIAL_SENTENCES
    advertorial_leads: tuple[str, ...] = _ADVERTORIAL_LEADS


def _text(html: str) -> str:
    return " ".join(_TAG.sub("", html).split())


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= 6]


def _caption_and_credit(text: str) -> tuple[str, str | None]:
    found = _CREDIT.search(text)
    if not found:
        return text, None
    return text[: found.start()].strip(), found.group(1).strip()


@cache
def pools() -> Pools:
    """Read the corpus once and cut it into pools."""
    articles = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    sentences: list[str] = []
    captions: list[str] = []
    names: list[str] = []
    tags: list[str] = []
    intertitles: list[str] = list(_EXTRA_INTERTITLES)
    titles: list[str] = []
    real = articles[0]["plain_text_lines"]
    titles.append(real[0])
    sentences += split_sentences(real[1])
    for line in real[4:-3]:
        sentences += split_sentences(line)
    names.append(real[-3])
    for article in articles[1:]:
        titles.append(article["title"])
        tags += article["tags"]
        sentences += split_sentences(article["sapo"].removeprefix("Biên phòng - "))
        for block in article["body_html"]:
            if "<figcaption>" in block:
                caption, credit = _caption_and_credit(_text(block.split("<figcaption>")[1]))
                captions.append(caption)
                if credit:
                    names.append(credit)
            elif "text-align: right" in block:
                names.append(_text(block))
            elif block.startswith("<p><strong>"):
                intertitles.append(_text(block))
            elif not block.startswith("<p><em>"):
                sentences += split_sentences(_text(block))
    names += _EXTRA_NAMES
    tags += _EXTRA_TAGS
    return Pools(
        sentences=tuple(dict.fromkeys(s for s in sentences if not re.search(r"”\d", s))),
        titles=tuple(titles),
        captions=tuple(dict.fromkeys(captions)),
        names=tuple(n for n in dict.fromkeys(names) if n not in ("CTV", "Tư liệu")),
        tags=tuple(dict.fromkeys(tags)),
        intertitles=tuple(dict.fromkeys(intertitles)),
    )
