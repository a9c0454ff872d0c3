"""The module the CLI and the GUI import tag batches and undo from (`TagRequest`, `TagWriter`,
`undo_batch`, ...); everything lives in `tagger.library.tagging`, one idea per module."""

from tagger.library.tagging import *  # noqa: F403
from tagger.library.tagging import __all__ as __all__
