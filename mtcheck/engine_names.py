"""The engines' names, for the command line's choices without importing the engines.

:mod:`mtcheck.engines` imports every engine module; a command that only segments should not pay
for that. :mod:`mtcheck.engines` checks at import that its registry has exactly these names.
"""

# "auto" is a choice among the engines, not an engine of its own.
ENGINE_NAMES = ("auto", "hf", "ct2", "apertium")

# The model of --engine hf/ct2 (and of auto) when none is given.
DEFAULT_MODEL = "Helsinki-NLP/opus-mt-fr-en"
