"""The one error the service raises for a problem the user can fix (a bad file, a bad setting)."""

from __future__ import annotations


class ServiceError(Exception):
    """Said to the user in one line: the CLI prints it, the GUI shows it in the status bar."""
