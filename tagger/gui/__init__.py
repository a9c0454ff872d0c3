"""The desktop application (PySide6). Qt only: the work is done by tagger.library services."""
