"""Audio input: decoding (PyAV), the segment plan and the log-Mel front end. Knows no models."""

from tagger.audio.errors import AudioError

__all__ = ["AudioError"]
