import pytest

from mtcheck.engines import EngineSpec, load_engine
from mtcheck.errors import ConfigError, EngineError
from tests.conftest import needs_apertium


def test_auto_uses_hf_when_the_model_loads(tiny_model):
    choice = load_engine(EngineSpec(name="auto", model=str(tiny_model)))
    assert choice.engine.name == "hf"


@needs_apertium
def test_auto_falls_back_to_apertium_and_says_why(tmp_path):
    # A hub id that is not cached (the hub is offline in tests); a missing *folder* is an error instead.
    choice = load_engine(EngineSpec(name="auto", model="mtcheck-tests/not-cached-model"))
    assert choice.engine.name == "apertium"
    assert "hf:" in choice.message and "not chosen" in choice.message


def test_auto_with_nothing_available_lists_what_it_tried(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no apertium binary on PATH
    with pytest.raises(EngineError) as err:
        load_engine(EngineSpec(name="auto", model="mtcheck-tests/not-cached-model"))
    message = str(err.value)
    assert "hf:" in message and "apertium" in message and "--model" in message and "HF_HOME" in message


def test_unknown_engine_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown engine"):
        load_engine(EngineSpec(name="nope"))
