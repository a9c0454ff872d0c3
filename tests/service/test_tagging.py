"""service/tagging.py: the tag request from settings and options, and the summaries."""

from __future__ import annotations

import pytest

from tagger.library.settings import Settings
from tagger.library.tag_writer import TagPlan, TagResult
from tagger.service.errors import ServiceError
from tagger.service.tagging import (
    describe_preview,
    describe_write,
    genre_strings,
    skipped_reasons,
    tag_request,
)


def test_genre_string_overrides_replace_a_class_in_any_case() -> None:
    base = {"metal": "Metal", "hardcore": "Hardcore"}
    out = genre_strings(base, ["METAL=Heavy Metal", "punk = Punk "])
    assert out == {"hardcore": "Hardcore", "METAL": "Heavy Metal", "punk": "Punk"}
    assert base == {"metal": "Metal", "hardcore": "Hardcore"}  # the settings are not changed
    for bad in ("metal", "=Metal", "metal= "):
        with pytest.raises(ServiceError, match="CLASS=TEXT"):
            genre_strings(base, [bad])


def test_the_request_takes_unset_choices_from_the_settings() -> None:
    settings = Settings(genre_strings={"metal": "Metal"}, id3_separator=" / ")
    request = tag_request(settings, ["/m"], label="metal", mode="fill")
    assert (request.paths, request.label, request.mode) == (("/m",), "metal", "fill")
    assert request.genre_strings == {"metal": "Metal"}
    assert request.options.id3v23_separator == " / "
    assert tag_request(settings, separator="; ").options.id3v23_separator == "; "
    with pytest.raises(ServiceError, match="visible character"):
        tag_request(settings, separator="  ")


def test_skipped_reasons_are_sorted() -> None:
    assert skipped_reasons({"unlabeled": 3, "low confidence": 1}) == (
        "1 low confidence, 3 unlabeled"
    )


def test_the_summaries_say_in_words_how_many_were_left_for_review() -> None:
    request = tag_request(Settings())
    plan = TagPlan(request, [], {"needs-review": 3, "missing": 1})
    text = describe_preview(plan, "scan", review_hint="--include-unreviewed writes them")
    assert "3 left for review (--include-unreviewed writes them)" in text
    assert "1 skipped (1 missing)" in text and "needs-review" not in text
    result = TagResult(7, [], {"needs-review": 2}, [])
    text = describe_write(result, "", always_count_problems=False, review_hint="")
    assert text.endswith("2 left for review") and "skipped" not in text
    assert "left for review" not in describe_preview(TagPlan(request, [], {}), "scan")
