"""The installed package has everything: sub-packages, the bundled model, desktop metadata."""

import configparser
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tagger").rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject packages: {sorted(found - listed)}"


def test_torch_is_capped_and_only_in_the_train_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    train = project["optional-dependencies"]["train"]
    torch = next(d for d in train if d.startswith("torch"))
    assert "<2.14" in torch
    every = [
        *project["dependencies"],
        *(d for ds in project["optional-dependencies"].values() for d in ds),
    ]
    assert not any(d.startswith("torchaudio") for d in every)
    assert not any(d.startswith("torch") for d in project["dependencies"])
    assert any(d.startswith("onnxruntime") for d in project["dependencies"])


def test_desktop_entry_and_appstream_metadata():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "packaging" / "io.github.metal_hardcore_tagger.desktop")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Exec"].startswith("tagger gui")
    meta = ET.parse(ROOT / "packaging" / "io.github.metal_hardcore_tagger.metainfo.xml").getroot()
    assert meta.findtext("id") == "io.github.metal_hardcore_tagger"
    assert meta.find("launchable").text == "io.github.metal_hardcore_tagger.desktop"
