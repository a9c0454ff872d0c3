from tagger.model import precision


def test_environment_overrides_the_cpu_check(monkeypatch):
    monkeypatch.setenv("TAGGER_PRECISION", "fp32")
    assert precision.use_bf16() is False
    monkeypatch.setenv("TAGGER_PRECISION", "bf16")
    assert precision.use_bf16() is True
    monkeypatch.setenv("TAGGER_PRECISION", "auto")
    assert precision.use_bf16() is precision.cpu_has_native_bf16()
