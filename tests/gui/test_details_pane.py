"""details_pane.py's texts: what a track's own tags say beside the model's verdict."""

from __future__ import annotations

from types import SimpleNamespace

from tagger.gui.details_pane import tags_text


def test_its_tags_say_which_class_whether_the_model_agrees_and_what_a_write_replaced() -> None:
    metal = SimpleNamespace(predicted_label="metal", tag_doubt=None)
    assert tags_text(None, metal) == ""
    assert tags_text("metal", metal) == "Metal — the model agrees, so it needs no review"
    assert (
        tags_text("hardcore", SimpleNamespace(predicted_label=None, tag_doubt=None)) == "Hardcore"
    )
    # The file says "Metal" now (a replace wrote it); the user's "NYHC" is what the class is from.
    assert tags_text("hardcore", metal, ("NYHC",)) == (
        "Hardcore (your NYHC, which a tag write replaced) — the model says otherwise"
    )


def test_a_tag_the_last_training_doubted_says_so_though_the_model_agrees() -> None:
    doubted = SimpleNamespace(predicted_label="metal", tag_doubt=-0.48)
    text = tags_text("metal", doubted)
    assert text.startswith("Metal — but the last training learnt this only by rote")
    assert "the tag may be wrong" in text and "needs no review" not in text
