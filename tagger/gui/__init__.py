"""The desktop application (PySide6). Qt only: the work is done by the services in tagger.library.

Importing this package first installs the PySide6 reference-count guard (see
pyside_refcount_guard.py), before any widget exists.
"""

from tagger.gui import pyside_refcount_guard

__all__ = ["pyside_refcount_guard"]
