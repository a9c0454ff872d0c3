import json
import shutil

from audio_factory import tone, write_audio

from tagger.cli import main


def test_json_lines_with_results_and_errors(tmp_path, random_model, capsys):
    good = write_audio(tmp_path / "good.ogg", tone(6.0))
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00garbage" * 100)
    status = main(["classify", "--json", "--model", str(random_model), str(good), str(bad)])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 1  # one file failed
    assert lines[0]["path"] == str(good) and lines[0]["label"] in ("metal", "hardcore")
    assert set(lines[0]) == {"path", "label", "confidence", "probabilities", "segments", "model"}
    assert len(lines[0]["segments"]) == 60
    assert lines[0]["model"] == "random"
    assert set(lines[1]) == {"path", "error"} and lines[1]["path"] == str(bad)
    assert "Traceback" not in err


def test_text_output_and_success_status(tmp_path, random_model, capsys):
    good = write_audio(tmp_path / "good.wav", tone(2.0))
    assert main(["classify", "--windows", "--model", str(random_model), str(good)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{good}: ") and "%" in out
    lines = out.strip().splitlines()
    assert len(lines) == 3  # the result, the windows' column headers, one window (2 s track)
    assert lines[1].split()[-2:] == ["hardcore", "metal"]  # the model's classes head the columns
    window = [float(p) for p in lines[2].split()[-2:]]
    assert abs(sum(window) - 1.0) < 0.02  # one probability per class, under its header


def test_bad_model_is_a_one_line_error(tmp_path, capsys):
    bogus = tmp_path / "bogus.safetensors"
    bogus.write_text("nope")
    assert main(["classify", "--model", str(bogus), "x.mp3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tagger: error: cannot load the model") and "Traceback" not in err


def test_the_settings_model_is_used_without_model(tmp_path, random_model, monkeypatch, capsys):
    """Regression: `tagger classify` used the bundled model whatever the settings said."""
    chosen = tmp_path / "from-settings.safetensors"
    shutil.copyfile(random_model, chosen)  # a model is named after its file
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"model_path": str(chosen)}))
    monkeypatch.setenv("TAGGER_SETTINGS", str(settings))
    good = write_audio(tmp_path / "good.wav", tone(2.0))
    assert main(["classify", "--json", str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "from-settings"
    # --model still beats the settings
    assert main(["classify", "--json", "--model", str(random_model), str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "random"


def _no_nan(constant: str) -> float:
    raise AssertionError(f"{constant} is not JSON")


def test_a_nan_verdict_is_a_json_error_line_never_nan(tmp_path, capsys):
    from hostile_corpus import float_wav
    from nan_model import nan_model

    good = write_audio(tmp_path / "good.wav", tone(2.0))
    nan_samples = tone(2.0)
    nan_samples[:, 100:200] = float("nan")
    nan_wav = float_wav(tmp_path / "nan.wav", nan_samples)
    model = nan_model(tmp_path / "model")
    status = main(["classify", "--json", "--model", str(model), str(good), str(nan_wav)])
    out, err = capsys.readouterr()
    lines = [json.loads(line, parse_constant=_no_nan) for line in out.splitlines()]
    assert status == 1 and "Traceback" not in err
    assert [set(line) for line in lines] == [{"path", "error"}, {"path", "error"}]
    assert "not a number" in lines[0]["error"]  # the model's output
    assert "not numbers" in lines[1]["error"]  # the file's samples
