"""The original bytes a tag write replaced, so that undo gives back the very same file.

Why bytes and not frames: restoring "the old genres" re-encodes the tag (a Latin-1 TCON comes
back as UTF-8, the ID3v1 genre byte becomes the nearest genre, padding moves), so the file
differs from the original although it means the same. Keeping the original frames with their
encodings would need one re-encoder per family; keeping the bytes needs one diff for all.

A write changes a file in at most two places: the tag block near the start (ID3v2, FLAC
metadata blocks, the Vorbis comment pages, an MP4 ``moov`` in front) and a small block at the
end (the ID3v1 tag, whose genre byte changes; an MP4 ``moov`` at the end). Everything between
is the audio, identical but maybe shifted. So the backup is the original bytes of a head window
(aligned from the start) and of a tail window (aligned from the end), plus the sha256 of both
versions: undo only rebuilds a file whose bytes are still exactly what the write left, and it
checks that the rebuilt file has the original's sha256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
from collections.abc import Iterator
from dataclasses import dataclass

_MAGIC = b"TGB1"
_CHUNK = 1 << 16
# Sizes tried for the block at the end: an ID3v1 tag is 128 bytes, an APEv2 tag before it a few
# KiB; the smallest that leaves the rest of the end aligned wins.
_TAIL_WINDOWS = (128, 1 << 12, 1 << 14)
# A backup larger than this is not kept (undo then restores the genres, not the bytes): a
# family that rewrites the whole file (Ogg renumbering all pages) must not fill the library.
MAX_BACKUP_BYTES = 32 << 20

Buffer = bytes | mmap.mmap


@dataclass(frozen=True)
class ByteBackup:
    """How to turn the written file back into the original, byte for byte."""

    old_sha256: str
    new_sha256: str
    head_start: int  # the files agree before this offset
    head_new_len: int  # the written file's changed head bytes (replaced by head_old)
    head_old: bytes
    tail_new_len: int  # the written file's last bytes (replaced by tail_old)
    tail_old: bytes

    def to_bytes(self) -> bytes:
        header = json.dumps(
            {
                "old_sha256": self.old_sha256,
                "new_sha256": self.new_sha256,
                "head_start": self.head_start,
                "head_new_len": self.head_new_len,
                "head_old_len": len(self.head_old),
                "tail_new_len": self.tail_new_len,
            }
        ).encode()
        return _MAGIC + len(header).to_bytes(4, "big") + header + self.head_old + self.tail_old

    @classmethod
    def from_bytes(cls, blob: bytes) -> ByteBackup:
        if blob[:4] != _MAGIC:
            raise ValueError("not a tag byte backup")
        size = int.from_bytes(blob[4:8], "big")
        header = json.loads(blob[8 : 8 + size])
        body = blob[8 + size :]
        head_len = int(header["head_old_len"])
        return cls(
            old_sha256=str(header["old_sha256"]),
            new_sha256=str(header["new_sha256"]),
            head_start=int(header["head_start"]),
            head_new_len=int(header["head_new_len"]),
            head_old=bytes(body[:head_len]),
            tail_new_len=int(header["tail_new_len"]),
            tail_old=bytes(body[head_len:]),
        )

    def rebuild(self, written: Buffer) -> bytes:
        """The original file, from the bytes the write left."""
        head_end = self.head_start + self.head_new_len
        tail_start = len(written) - self.tail_new_len
        return b"".join(
            (
                written[: self.head_start],
                self.head_old,
                written[head_end:tail_start],
                self.tail_old,
            )
        )


def file_sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def capture(original: str, written: str) -> ByteBackup | None:
    """The backup that turns ``written`` back into ``original``; None when it would be too big."""
    with _mapped(original) as old, _mapped(written) as new:
        lo, ln = len(old), len(new)
        start = _common_forward(old, new, min(lo, ln))
        suffix = _common_backward(old, new, lo, ln, min(lo, ln) - start)
        # One window: everything between the common start and the common end.
        best = (start, ln - suffix - start, old[start : lo - suffix], 0, b"")
        for window in _TAIL_WINDOWS:
            tail = min(window, lo - start, ln - start)
            if tail <= suffix:
                continue  # the end already agrees this far: no second window needed
            # Two windows: the last `tail` bytes, and the head up to where the audio runs equal.
            middle = _common_backward(old, new, lo - tail, ln - tail, min(lo, ln) - start - tail)
            head_old_len = lo - tail - middle - start
            if head_old_len + tail < len(best[2]) + len(best[4]):
                best = (
                    start,
                    ln - tail - middle - start,
                    old[start : start + head_old_len],
                    tail,
                    old[lo - tail :],
                )
        head_start, head_new_len, head_old, tail_new_len, tail_old = best
        if len(head_old) + len(tail_old) > MAX_BACKUP_BYTES:
            return None
        return ByteBackup(
            old_sha256=hashlib.sha256(old).hexdigest(),
            new_sha256=hashlib.sha256(new).hexdigest(),
            head_start=head_start,
            head_new_len=head_new_len,
            head_old=bytes(head_old),
            tail_new_len=tail_new_len,
            tail_old=bytes(tail_old),
        )


def rebuild_into(path: str, backup: ByteBackup, target: str) -> None:
    """Write the original bytes, rebuilt from ``path``, to ``target``; check their sha256."""
    with _mapped(path) as written:
        if hashlib.sha256(written).hexdigest() != backup.new_sha256:
            raise ValueError("the file is no longer as the write left it")
        data = backup.rebuild(written)
    if hashlib.sha256(data).hexdigest() != backup.old_sha256:
        raise ValueError("the rebuilt file does not match the original's checksum")
    with open(target, "wb") as f:
        f.write(data)


@contextlib.contextmanager
def _mapped(path: str) -> Iterator[Buffer]:
    """A read-only view of a file's bytes (an empty file, which mmap refuses, is b"")."""
    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            yield b""
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
            yield view


def _common_forward(a: Buffer, b: Buffer, limit: int) -> int:
    """How many leading bytes ``a`` and ``b`` share (at most ``limit``)."""
    n = 0
    while n < limit:
        step = min(_CHUNK, limit - n)
        if a[n : n + step] == b[n : n + step]:
            n += step
            continue
        lo, hi = 0, step  # a[n:n+lo] equal; the first difference lies in [lo, hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if a[n + lo : n + mid] == b[n + lo : n + mid]:
                lo = mid
            else:
                hi = mid
        return n + lo
    return n


def _common_backward(a: Buffer, b: Buffer, a_end: int, b_end: int, limit: int) -> int:
    """How many bytes before ``a_end`` and ``b_end`` are equal (at most ``limit``)."""
    n = 0
    while n < limit:
        step = min(_CHUNK, limit - n)
        if a[a_end - n - step : a_end - n] == b[b_end - n - step : b_end - n]:
            n += step
            continue
        lo, hi = 0, step  # the last lo bytes are equal; the first difference from the end is < hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if a[a_end - n - mid : a_end - n - lo] == b[b_end - n - mid : b_end - n - lo]:
                lo = mid
            else:
                hi = mid
        return n + lo
    return n
