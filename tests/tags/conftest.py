"""Fixtures for the tag tests; the helpers themselves live in ``tag_test_files``."""

from tag_test_files import encoded, plain_file, rich_file, rich_templates

__all__ = ["encoded", "plain_file", "rich_file", "rich_templates"]
