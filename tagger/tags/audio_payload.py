"""A digest of a file's compressed audio, to prove a tag write left the audio alone.

The digest covers the bytes of every demuxed audio packet, in order, as PyAV (FFmpeg) sees
them. Tags never reach audio packets (Vorbis/Opus comment headers and FLAC metadata live in
the codec headers, ID3/APE tags are skipped by the demuxer, MP4 atoms sit beside ``mdat``), so
the digest must be equal before and after, even when the tag grew and the audio moved.
"""

from __future__ import annotations

import hashlib

import av


def audio_packet_digest(path: str) -> str | None:
    """sha256 over all audio packets, or None when FFmpeg cannot demux the file at all."""
    h = hashlib.sha256()
    try:
        with av.open(path, mode="r") as container:
            streams = [s for s in container.streams if s.type == "audio"]
            if not streams:
                return None
            count = 0
            for packet in container.demux(streams):
                if packet.size == 0:  # the demuxer's end-of-stream flush packet
                    continue
                data = bytes(packet)
                h.update(packet.stream.index.to_bytes(4, "little"))
                h.update(len(data).to_bytes(8, "little"))
                h.update(data)
                count += 1
    except (av.FFmpegError, OSError, ValueError):
        return None
    h.update(count.to_bytes(8, "little"))
    return h.hexdigest()
