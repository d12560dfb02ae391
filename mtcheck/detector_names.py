"""The detectors' names, for the command line's help and choices without importing them.

Importing :mod:`mtcheck.detectors` loads every detector and what they use (sacrebleu, numpy,
the lexicons): a command that only segments should not pay for that. A test checks that this
list names exactly the registry of :mod:`mtcheck.detectors`.
"""

DETECTOR_NAMES = (
    "reference-divergence", "lexicon", "numbers", "names", "repeated-quote", "truncation", "residue",
    "untranslated", "confidence", "grammar", "english-order", "spelling", "agreement", "bare-infinitive",
    "causative-infinitive", "speaker-gender", "euphony", "place-preposition", "pronoun-number", "tense",
)
