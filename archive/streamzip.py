"""A ZIP writer whose memory stays flat however many entries it holds.

Python's `zipfile` keeps every entry's header in memory until it closes (about 360 bytes an
entry: 70 MB for 200,000 articles). This writer spools the central directory to a temporary
file instead and copies it behind the entries at the end. Entries are deflated whole (each is
one small document), so sizes and CRC go in the local header and no data descriptor is needed.
ZIP64 records are written when the count or an offset outgrows the classic format, as
`zipfile`, Info-ZIP and 7-Zip read them.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import zlib
from types import TracebackType
from typing import BinaryIO, Self

UTF8_NAMES = 0x0800  # general purpose flag bit 11: names are UTF-8
DEFLATED = 8
LIMIT_16, LIMIT_32 = 0xFFFF, 0xFFFFFFFF
VERSION_MADE_BY = (3 << 8) | 45  # Unix, spec 4.5 (ZIP64)


def dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


class StreamingZip:
    """`with StreamingZip(out) as z: z.add(name, data, date_time)`; the caller owns `out`."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offset = 0
        self.count = 0
        # Closed by close() or __exit__, after the entries are written.
        self.directory = tempfile.TemporaryFile()  # noqa: SIM115

    def add(self, name: str, data: bytes, date_time: tuple[int, int, int, int, int, int]) -> None:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc, encoded = zlib.crc32(data), name.encode("utf-8")
        clock, day = dos_time(date_time)
        # Each entry is far below 4 GiB, so only the offset of an entry can need ZIP64.
        local = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, UTF8_NAMES, DEFLATED, clock, day, crc,
            len(packed), len(data), len(encoded), 0,
        )  # fmt: skip
        self.out.write(local + encoded + packed)
        extra = b""
        offset = self.offset
        if offset >= LIMIT_32:
            extra, offset = struct.pack("<HHQ", 1, 8, self.offset), LIMIT_32
        central = struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, VERSION_MADE_BY, 45 if extra else 20, UTF8_NAMES,
            DEFLATED, clock, day, crc, len(packed), len(data), len(encoded), len(extra), 0, 0, 0,
            0o100644 << 16, offset,
        )  # fmt: skip
        self.directory.write(central + encoded + extra)
        self.offset += len(local) + len(encoded) + len(packed)
        self.count += 1

    def close(self) -> None:
        start, size = self.offset, self.directory.tell()
        self.directory.seek(0)
        shutil.copyfileobj(self.directory, self.out)
        self.directory.close()
        if self.count >= LIMIT_16 or start >= LIMIT_32 or size >= LIMIT_32:
            end64 = (0x06064B50, 44, VERSION_MADE_BY, 45, 0, 0, self.count, self.count, size, start)
            self.out.write(struct.pack("<IQHHIIQQQQ", *end64))
            self.out.write(struct.pack("<IIQI", 0x07064B50, 0, start + size, 1))
        entries = min(self.count, LIMIT_16)
        end = (0x06054B50, 0, 0, entries, entries, min(size, LIMIT_32), min(start, LIMIT_32), 0)
        self.out.write(struct.pack("<IHHHHIIH", *end))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.directory.close()
