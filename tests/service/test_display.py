"""service/display.py: a missing display is found before Qt would abort."""

from __future__ import annotations

import pytest

from tagger.service.display import missing_display


@pytest.mark.parametrize(
    "env",
    [
        {"DISPLAY": ":0"},
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"QT_QPA_PLATFORM": "offscreen"},
        {"QT_QPA_PLATFORM": "minimal:enable_fonts"},
    ],
)
def test_a_display_or_a_headless_platform_is_enough(env: dict[str, str]) -> None:
    assert missing_display(env, "linux") is None


def test_no_display_on_linux_names_what_is_missing_and_the_way_out() -> None:
    for env in ({}, {"DISPLAY": ""}, {"QT_QPA_PLATFORM": "xcb"}):
        problem = missing_display(env, "linux")
        assert problem is not None and "\n" not in problem
        assert "DISPLAY" in problem and "WAYLAND_DISPLAY" in problem
        assert "QT_QPA_PLATFORM=offscreen" in problem and "xvfb-run" in problem


def test_windows_and_macos_always_have_a_window_system() -> None:
    assert missing_display({}, "win32") is None
    assert missing_display({}, "darwin") is None
