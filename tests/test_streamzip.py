"""archive.streamzip: what it writes, zipfile reads back, ZIP64 included."""

from __future__ import annotations

import zipfile
from pathlib import Path

from archive.streamzip import StreamingZip

WHEN = (2025, 2, 14, 16, 30, 0)


def test_entries_read_back_with_names_contents_and_times(tmp_path: Path) -> None:
    path = tmp_path / "out.zip"
    with open(path, "wb") as out, StreamingZip(out) as archive:
        archive.add("2025-02-14-so-ket-486718.md", "Đảng ủy BĐBP Cao Bằng\n".encode(), WHEN)
        archive.add("2017-06-12-ron-rang-201765.md", b"", (2017, 6, 12, 8, 30, 0))

    with zipfile.ZipFile(path) as archive:
        assert None is archive.testzip()
        assert [
            "2025-02-14-so-ket-486718.md",
            "2017-06-12-ron-rang-201765.md",
        ] == archive.namelist()
        assert "Đảng ủy BĐBP Cao Bằng\n" == archive.read("2025-02-14-so-ket-486718.md").decode()
        assert b"" == archive.read("2017-06-12-ron-rang-201765.md")
        assert (2025, 2, 14, 16, 30, 0) == archive.getinfo("2025-02-14-so-ket-486718.md").date_time


def test_no_entries_make_an_empty_zip(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with open(path, "wb") as out, StreamingZip(out):
        pass

    with zipfile.ZipFile(path) as archive:
        assert [] == archive.namelist()


def test_more_entries_than_the_classic_format_counts_use_zip64(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with open(path, "wb") as out, StreamingZip(out) as archive:
        for number in range(70_000):
            archive.add(f"{number}.md", str(number).encode(), WHEN)

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert 70_000 == len(names)
        assert b"69999" == archive.read("69999.md")
