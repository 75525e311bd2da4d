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
    """(field, word diff) for each reading field that differs between two records."""
    return [
        (field, word_diff(old.get(field), new.get(field)))
        for field in DIFF_FIELDS
        if old.get(field) != new.get(field)
    ]
