"""Pick the handler for a file from what mutagen detects in its content.

mutagen's own ``File()`` adds points for the file name's extension, so a FLAC named ``.mp3``
could tie with MP3 and lose. Here every candidate type scores the content alone (an empty file
name), and the handler then opens the file with exactly that type.
"""

from __future__ import annotations

import os
from struct import error as struct_error

from mutagen import FileType, MutagenError
from mutagen.aac import AAC
from mutagen.ac3 import AC3
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2File
from mutagen.asf import ASF
from mutagen.dsdiff import DSDIFF
from mutagen.dsf import DSF
from mutagen.flac import FLAC
from mutagen.id3 import ID3FileType
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.musepack import Musepack
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggtheora import OggTheora
from mutagen.oggvorbis import OggVorbis
from mutagen.optimfrog import OptimFROG
from mutagen.smf import SMF
from mutagen.tak import TAK
from mutagen.trueaudio import TrueAudio
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

from .apev2 import APEv2Handler
from .asf import ASFHandler
from .base import TagError, TagHandler, TagOptions, TrackTags
from .id3 import ID3Handler
from .mp4 import MP4Handler
from .vorbis import VorbisHandler

# The same candidates, in the same order, as mutagen.File().
_CANDIDATES: tuple[type[FileType], ...] = (
    MP3,
    TrueAudio,
    OggTheora,
    OggSpeex,
    OggVorbis,
    OggFLAC,
    FLAC,
    AIFF,
    APEv2File,
    MP4,
    ID3FileType,
    WavPack,
    Musepack,
    MonkeysAudio,
    OptimFROG,
    ASF,
    OggOpus,
    AAC,
    AC3,
    SMF,
    TAK,
    DSF,
    DSDIFF,
    WAVE,
)

HANDLERS: tuple[type[TagHandler], ...] = (
    ID3Handler,
    VorbisHandler,
    MP4Handler,
    APEv2Handler,
    ASFHandler,
)


def detect_type(path: str) -> type[FileType]:
    """The mutagen file type that the content of ``path`` looks like."""
    try:
        with open(path, "rb") as f:
            header = f.read(128)
            scores = []
            for kind in _CANDIDATES:
                f.seek(0)
                try:
                    score = kind.score("", f, header)
                except Exception:  # a scorer choking on odd bytes just doesn't match
                    score = 0
                scores.append((score, kind.__name__, kind))
    except FileNotFoundError:
        raise TagError(path, "file not found") from None
    except IsADirectoryError:
        raise TagError(path, "not a file") from None
    except PermissionError:
        raise TagError(path, "permission denied") from None
    except OSError as e:
        raise TagError(path, f"cannot read file: {e.strerror or e}") from None
    score, _, kind = max(scores, key=lambda s: (s[0], s[1]))
    if score <= 0:
        if os.path.getsize(path) == 0:
            raise TagError(path, "unsupported format: empty file")
        raise TagError(path, "unsupported format: not a recognised audio file")
    return kind


def handler_for(path: str) -> TagHandler:
    """The handler for ``path``, chosen by content. Raises TagError for anything else."""
    kind = detect_type(path)
    for handler in HANDLERS:
        if issubclass(kind, handler.file_types):
            return handler(kind)  # type: ignore[call-arg]
    raise TagError(path, f"unsupported format: {kind.__name__} has no genre tag we can write")


def read_with(handler: TagHandler, path: str, options: TagOptions) -> TrackTags:
    """``handler.read`` with every failure turned into a TagError a person can read."""
    try:
        return handler.read(path, options)
    except TagError:
        raise
    except FileNotFoundError:
        raise TagError(path, "file not found") from None
    except PermissionError:
        raise TagError(path, "permission denied") from None
    except Exception as e:  # a corrupt file must not crash a scan of thousands
        raise TagError(path, f"unreadable tags: {describe_error(e)}") from None


def describe_error(error: BaseException) -> str:
    """A reason for a mutagen failure that is never empty (some are raised with no message,
    a truncated frame surfaces as a bare ``struct.error``)."""
    text = str(error).strip()
    if isinstance(error, struct_error | EOFError) or not text:
        return "damaged or truncated tag" + (f" ({text})" if text else "")
    if isinstance(error, MutagenError | ValueError):
        return text
    return f"{type(error).__name__}: {text}"
