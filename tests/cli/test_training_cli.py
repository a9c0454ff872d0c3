from tagger.cli import main


def test_train_then_evaluate_from_the_command_line(tiny_corpus, tmp_path, capsys):
    model = tmp_path / "cli.safetensors"
    status = main(
        [
            "train",
            str(tiny_corpus),
            "--out",
            str(model),
            "--epochs",
            "2",
            "--workers",
            "1",
            "--seed",
            "3",
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0 and model.exists()
    assert out.startswith(f"wrote {model}") and "epoch   2" in err and "ETA" in err
    assert (
        main(
            [
                "evaluate",
                str(model),
                str(tiny_corpus),
                "--report",
                str(tmp_path / "r"),
                "--workers",
                "1",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "clip level:" in out and "track level:" in out
    assert (tmp_path / "r" / "report.md").exists()


def test_train_refuses_a_folder_without_classes(tmp_path, capsys):
    (tmp_path / "only").mkdir()
    assert main(["train", str(tmp_path), "--out", str(tmp_path / "m.safetensors")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tagger: error:") and "Traceback" not in err
