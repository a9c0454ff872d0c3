from tagger.model import precision


def test_environment_overrides_the_cpu_check(monkeypatch):
    monkeypatch.setenv("TAGGER_PRECISION", "fp32")
    assert precision.use_bf16() is False
    monkeypatch.setenv("TAGGER_PRECISION", "bf16")
    assert precision.use_bf16() is True
    monkeypatch.setenv("TAGGER_PRECISION", "auto")
    assert precision.use_bf16() is precision.cpu_has_native_bf16()


def test_int8_is_chosen_only_by_name_and_leaves_torch_its_own_choice(monkeypatch):
    monkeypatch.delenv("TAGGER_PRECISION", raising=False)
    assert precision.use_int8() is False
    monkeypatch.setenv("TAGGER_PRECISION", "INT8")
    assert precision.use_int8() is True
    assert precision.use_bf16() is precision.cpu_has_native_bf16()
