"""An article's versions, oldest first with the current record last, and word diffs between them."""

from __future__ import annotations

import difflib
from typing import Any

from archive.errors import ArchiveError
from archive.schema import ARTICLE_FIELDS
from archive.store import Archive

# The fields a reader compares between versions, in reading order.
DIFF_FIELDS = ("title", "sapo", "body", "authors", "tags", "published_at", "modified_at")


def article_history(archive: Archive, post_id: int) -> list[dict[str, Any]]:
    """Every record the article had, oldest first, each with the article-record keys + `seen_at`.

    ArchiveError when the archive holds no such article.
    """
    current = archive.get_article(post_id)
    if current is None:
        raise ArchiveError(f"no article {post_id} in {archive.path}")
    row = archive.db.execute("SELECT updated_at FROM articles WHERE post_id = ?", [post_id])
    versions = [
        {key: version.get(key) for key in ARTICLE_FIELDS} | {"seen_at": version["seen_at"]}
        for version in archive.versions(post_id)
    ]
    return [*versions, current | {"seen_at": row.fetchone()[0]}]


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).split()


def word_diff(old: Any, new: Any) -> str:
    """`[-removed-]{+added+}` word by word, as `git diff --word-diff` writes it."""
    before, after = _words(old), _words(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(" ".join(before[i1:i2]))
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(before[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(after[j1:j2]) + "+}")
    return " ".join(parts)


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, word diff) for each reading field that differs between two records; the body
    a paragraph at a time, only those that changed (`body ¶3`), as a one-sentence correction
    shows without the 2,500 characters around it."""
    changes: list[tuple[str, str]] = []
    for field in DIFF_FIELDS:
        if old.get(field) == new.get(field):
            continue
        if field == "body":
            changes += paragraph_diff(old.get(field), new.get(field))
        else:
            changes.append((field, word_diff(old.get(field), new.get(field))))
    return changes


def paragraph_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """(`body ¶N`, word diff) for each paragraph changed, added or removed between two bodies,
    numbered as the newer body numbers them (a removed one as the older did)."""
    before, after = _paragraphs(old), _paragraphs(new)
    changes: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):  # a paragraph rewritten in place: its words diffed
            changes.append((f"body ¶{j1 + k + 1}", word_diff(before[i1 + k], after[j1 + k])))
        for k in range(i1 + paired, i2):
            changes.append((f"body ¶{k + 1} (removed)", word_diff(before[k], None)))
        for k in range(j1 + paired, j2):
            changes.append((f"body ¶{k + 1} (added)", word_diff(None, after[k])))
    return changes


def _paragraphs(body: str | None) -> list[str]:
    return [part for part in (body or "").split("\n\n") if part.strip()]
