import pytest

from mtcheck.align import ReferenceAligner
from mtcheck.detectors import DetectionContext
from mtcheck.detectors.reference_divergence import ReferenceDivergence
from mtcheck.types import BackTranslation, Category, Reference, Segment, Severity, WordLink


def _context(french, english, links, reference):
    seg = Segment(index=0, text=french, start=0, end=len(french), paragraph=0)
    word_links = []
    for en_word, fr_word in links:
        ts = english.index(en_word)
        fs = french.index(fr_word)
        word_links.append(WordLink(ts, ts + len(en_word), fs, fs + len(fr_word)))
    bt = BackTranslation(segment=seg, text=english, engine="test", links=tuple(word_links))
    refs = [Reference(id="r", text=reference)]
    alignments = ReferenceAligner(threshold=10).align([bt], refs)
    return DetectionContext(french, [seg], [bt], refs, alignments)


FRENCH = "Ils ont autorisé leurs armes artificielles pour frapper la Russie."
ENGLISH = "They authorised their artificial arms to strike Russia."
LINKS = [("They", "Ils"), ("authorised", "autorisé"), ("their", "leurs"), ("artificial", "artificielles"),
         ("arms", "armes"), ("strike", "frapper"), ("Russia", "Russie")]


def test_flags_the_french_words_behind_a_contradicted_word():
    ctx = _context(FRENCH, ENGLISH, LINKS, "They authorised their U.S.-made arms to strike Russia.")
    (flag,) = ReferenceDivergence().detect(ctx)
    assert FRENCH[flag.start : flag.end] == flag.text == "artificielles"
    assert flag.evidence["back_translation"] == "artificial"
    assert "U.S." in flag.evidence["reference"]
    assert flag.category is Category.MISTRANSLATION
    assert flag.severity is Severity.CRITICAL  # a name/nationality of the reference is lost


def test_agreeing_back_translation_raises_nothing():
    ctx = _context(FRENCH, ENGLISH, LINKS, "They authorised their artificial arms to strike Russia.")
    assert ReferenceDivergence().detect(ctx) == []


def test_unlinked_words_are_not_flagged_anywhere_else():
    links = [l for l in LINKS if l[0] != "artificial"]
    ctx = _context(FRENCH, ENGLISH, links, "They authorised their U.S.-made arms to strike Russia.")
    assert all("artificielles" not in f.text for f in ReferenceDivergence().detect(ctx))


def test_a_title_or_a_date_word_is_not_a_lost_name():
    from mtcheck.lang.english import is_entity_like

    assert not is_entity_like("President-elect") and not is_entity_like("Jan.")
    assert is_entity_like("Biden") and is_entity_like("U.S.") and is_entity_like("190")


def test_min_severity_keeps_only_lost_names():
    lost_name = _context(FRENCH, ENGLISH, LINKS, "They authorised their U.S.-made arms to strike Russia.")
    assert ReferenceDivergence(min_severity="critical").detect(lost_name)
    plain_word = _context(FRENCH, ENGLISH, LINKS, "They authorised their artificial arms to bomb Russia.")
    assert ReferenceDivergence().detect(plain_word)  # 'strike' vs 'bomb': a major flag by default
    assert ReferenceDivergence(min_severity="critical").detect(plain_word) == []


@pytest.mark.parametrize("french, reference", [
    ("Washington a autorisé l’armée ukrainienne à frapper la Russie avec ces missiles.",
     "Washington allowed Ukraine’s army to strike Russia with these missiles."),
    ("Le déploiement de troupes terrestres de la Corée du Nord par la Russie inquiète Kiev.",
     "Russia’s deployment of North Korean ground troops worries Kyiv."),
    # the French decimal comma survives the back-translation: "1,0" is the reference's "1.0"
    ("Le produit intérieur brut de la zone euro progressera de 0,8 % cette année et de 1,3 % en 2025, "
     "contre 1,0 % et 1,5 % prévus en juin.",
     "Euro zone gross domestic product will grow by 0.8% this year and 1.3% in 2025, compared with 1.0% "
     "and 1.5% forecast in June."),
])
def test_a_name_the_back_translation_gives_near_the_divergence_is_not_lost(apertium, french, reference):
    from mtcheck import Checker

    checker = Checker(engine=apertium, detectors=[ReferenceDivergence(min_severity="minor")], reverse_engine=None)
    flags = checker.check(french, [Reference(id="r", text=reference)]).flags
    assert flags and all(f.severity is not Severity.CRITICAL for f in flags)


@pytest.mark.parametrize("french, reference", [
    # Apertium reads the names as Spanish words: "ribera" (bank), "vi" (saw)
    ("La ministre Teresa Ribera a visité Valence mardi avec le roi Felipe VI.",
     "Minister Teresa Ribera visited Valencia on Tuesday with King Felipe VI."),
    # a capital that opens a sentence is no name
    ("Le bilan est de 217 morts. Des dizaines de personnes sont toujours portées disparues.",
     "The toll stands at 217 dead. Dozens of people are still missing."),
    # nor one that opens a parenthesis or a line
    ("Le paquet s’installe seul (cependant, cette option peut être changée).\nGarder son système à jour",
     "The package installs itself (However, this option can be changed).\nKeeping your system up to date"),
    # a measure or a time converted for French readers
    ("Il faisait 35 degrés Celsius dans la capitale.", "It was 95 degrees Fahrenheit in the capital."),
    ("La rencontre a débuté à 18 heures, heure locale.", "The match kicked off at 6 p.m. local time."),
])
def test_a_name_or_figure_the_french_keeps_or_converts_is_not_lost(apertium, french, reference):
    from mtcheck import Checker

    # The detector's own flags (combiner=None): the detection model's flags on human French
    # are measured by tests/test_professional_translations.py and benchmarks/flags.py.
    checker = Checker(engine=apertium, detectors=[ReferenceDivergence()], reverse_engine=None, combiner=None)
    assert not checker.check(french, [Reference(id="r", text=reference)]).flags


def test_a_country_and_its_adjective_are_one_name():
    from mtcheck.lang.english import same_entity

    assert same_entity("Ukraine’s", "ukrainienne") and same_entity("American", "U.S.")
    assert not same_entity("Ukraine", "Russia") and not same_entity("Korea", "Kiev")


def test_a_figure_in_french_and_english_notation_is_one_figure():
    from mtcheck.lang.english import same_entity

    assert same_entity("1,0", "1.0") and same_entity("1 500".replace(" ", ""), "1,500")
    assert not same_entity("1,0", "10") and not same_entity("2,4", "2.5")
