from pathlib import Path


class AudioError(Exception):
    """The one error raised for any file that cannot be read as audio.

    It names the file and the reason, so a batch can store it per file and go on.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
