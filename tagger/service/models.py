"""Which model file a job uses, loading it, and the classes a decision may name.

Every command resolves its model here: an explicit choice (`--model`) first, then the settings'
model file, then the bundled one (`model.checkpoint.resolve_model_path`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagger.library.settings import Settings
from tagger.service.errors import ServiceError

if TYPE_CHECKING:  # model/ loads a runtime; it is imported inside the functions that need it
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from tagger.model.predictor import Predictor

# SQLAlchemy is imported inside the functions that query: `tagger list --label` answered from
# the compiled-query cache (service/list_cache.py) names classes without it.


class ModelUnavailable(ServiceError):
    """The chosen model file cannot be used (missing, not a model, a newer format)."""


def model_path(settings: Settings, chosen: str | Path | None = None) -> Path:
    from tagger.model.checkpoint import resolve_model_path

    return resolve_model_path(chosen, settings.model_path)


def load_predictor(settings: Settings, chosen: str | Path | None = None) -> Predictor:
    from tagger.model.checkpoint import ModelFileError
    from tagger.model.predictor import Predictor
    from tagger.model.runtime import RuntimeChoiceError

    try:
        return Predictor.load(model_path(settings, chosen))
    except ModelFileError as exc:
        raise ModelUnavailable(f"cannot load the model: {exc.reason} ({exc.path})") from None
    except RuntimeChoiceError as exc:
        raise ModelUnavailable(str(exc)) from None


def known_classes(
    session: Session, settings: Settings, chosen: str | Path | None = None
) -> list[str]:
    """The classes of the model the user would classify with; else of every model used so far."""
    from tagger.model.checkpoint import ModelFileError, read_metadata

    try:
        return [str(c) for c in read_metadata(model_path(settings, chosen))["classes"]]
    except ModelFileError as exc:
        if chosen:
            raise ModelUnavailable(f"cannot read the model: {exc}") from None
    classes: list[str] = []
    for model_classes in session.scalars(model_classes_query()):
        classes.extend(c for c in model_classes if c not in classes)
    if not classes:
        raise ServiceError("no model found to say which classes exist; use --model")
    return classes


def model_classes_query() -> Select:
    """Each model's class list, oldest model first."""
    from sqlalchemy import select

    from tagger.library.schema import ModelRecord

    return select(ModelRecord.classes).order_by(ModelRecord.id)


def library_classes(session: Session, settings: Settings) -> list[str]:
    """The classes a label may name without loading a model (torch): the settings' genre strings
    and the classes of every model that has classified this library."""
    return classes_with_models(settings, session.scalars(model_classes_query()))


def classes_with_models(settings: Settings, model_classes: Iterable[Sequence[Any]]) -> list[str]:
    """The settings' genre strings, then each model's classes not named yet."""
    classes = list(settings.genre_strings)
    for each in model_classes:
        classes.extend(c for c in each if c not in classes)
    return classes


def unknown_label_warning(label: str, classes: Sequence[str], what: str) -> str | None:
    """A one-line warning when `label` (in any case) is none of `classes`, else None."""
    if not classes or label.strip().casefold() in {c.casefold() for c in classes}:
        return None
    return f"{what} {label!r} is not a known class ({', '.join(classes)}); it matches nothing"
