"""File name extensions treated as audio when walking folders. Decoding itself is by content."""

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".wav", ".aif", ".aiff"}
    | {".wma", ".asf", ".ape", ".wv", ".mpc"}
)
