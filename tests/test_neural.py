import importlib.util

import pytest

from mtcheck.errors import ConfigError
from mtcheck.neural import neural_scores
from mtcheck.types import Alignment, Reference, Rendering

ALIGNMENTS = [Alignment(Reference("r", "The missiles will speak."), (Rendering((0,), 0, 10, "Missiles speak.", 50, "m"),), 50)]


@pytest.mark.skipif(importlib.util.find_spec("comet") is not None, reason="COMET is installed here")
def test_comet_without_the_package_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="pip install 'mtcheck\\[neural\\]'"):
        neural_scores("comet", ALIGNMENTS, "Les missiles parleront.")


@pytest.mark.skipif(importlib.util.find_spec("bert_score") is not None, reason="bert-score is installed here")
def test_bertscore_without_the_package_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="bert-score"):
        neural_scores("bertscore", ALIGNMENTS, "Les missiles parleront.")


def test_unknown_metric():
    with pytest.raises(ConfigError, match="unknown neural metric"):
        neural_scores("bleurt", ALIGNMENTS, "x")
