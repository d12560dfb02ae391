import sys

import pytest

from mtcheck.detectors.untranslated import UntranslatedDetector
from mtcheck.errors import ConfigError
from mtcheck.lang.grammalecte import french_spellchecker

from ._context import context


def test_english_phrase_left_in_french_is_flagged():
    french = "Le président a déclaré que the weapons will arrive soon, selon son bureau."
    flags = UntranslatedDetector().detect(context(french))
    assert flags and all(french[f.start:f.end] == f.text for f in flags)
    assert any("the weapons" in f.text for f in flags)


def test_french_with_english_names_raises_nothing():
    french = "Le président Joe Biden a parlé au Washington Post de l'aide militaire."
    assert UntranslatedDetector().detect(context(french, ["Joe Biden told the Washington Post."])) == []
    # mixed-case names copied from the original: "xAI", "iPhone"
    french = "Les concurrents, comme xAI, vendent aussi des applications pour iPhone."
    assert UntranslatedDetector().detect(context(french, ["Rivals such as xAI also sell iPhone apps."])) == []


def test_english_words_glued_together_are_untranslated():
    french = "Une tige de quatre inchesProfessional pour la pêche."
    flags = UntranslatedDetector().detect(context(french, ["A rod of four inchesProfessional for fishing."]))
    assert [f.text for f in flags] == ["inchesProfessional"]


def test_links_handles_and_embed_residue_are_not_untranslated_english():
    french = "Il a écrit sur X pic.twitter.com/4VZu4JpzxG puis a cité @ZelenskyyUa et www.whitehouse.gov hier."
    assert UntranslatedDetector().detect(context(french)) == []


def test_paths_and_e_mail_addresses_copied_from_the_original_are_not_untranslated_english():
    french = "Lisez /usr/share/doc/dpkg/changelog.gz et ~/.bashrc, ou écrivez à debian-admin@lists.debian.org."
    original = "Read /usr/share/doc/dpkg/changelog.gz and ~/.bashrc, or write to debian-admin@lists.debian.org."
    assert UntranslatedDetector().detect(context(french, [original])) == []


def test_a_run_of_english_ends_at_the_french_words_after_it():
    """French words with an accent or an elided article are French: they neither extend the run
    nor, cut in pieces, make a run of their own."""
    french = "Il a promis the weapons l'année dernière."
    assert [f.text for f in UntranslatedDetector().detect(context(french, ["He promised the weapons last year."]))] \
        == ["the weapons"]
    french = "Le sigle WYSIWYG (What You See Is What You Get), c'est-à-dire « tel écran, tel écrit »."
    original = "WYSIWYG (What You See Is What You Get)."
    assert [f.text for f in UntranslatedDetector().detect(context(french, [original]))] \
        == ["What You See Is What You Get"]


def test_identifiers_copied_from_the_original_are_not_untranslated_english():
    """Program, package and file names copied from an English manual are right in its French,
    English words inside them too ("make" of "dh_make"); an English word copied as it is, alone
    or glued to another one, is not."""
    original = ("Install the lightweight package with dpkg or gcc on amd64, run dh_make, read papersize(5), "
                "then the postinst withlink.")
    french = ("Installez le paquet lightweight avec dpkg ou gcc sur amd64, lancez dh_make, lisez papersize(5), "
              "puis le postinst withlink.")
    assert [f.text for f in UntranslatedDetector().detect(context(french, [original]))] == ["lightweight", "withlink"]


def test_a_name_its_context_gives_is_not_untranslated_english():
    """Technical French names a file, a command or a setting after a noun that introduces it,
    and copies extensions and options as they are; the same English joined to a figure or
    glued to another word, or after any other noun, is English left in."""
    original = ("Edit the control file, run the groups command, keep the optional priority, install the .deb "
                "with dpkg --install, a 3-year-old lightweight set of 500-piece chips with magnificationDigital zoom.")
    french = ("Modifiez le fichier control, lancez la commande groups, gardez la priorité optional, installez le "
              ".deb avec dpkg --install, un jeu lightweight de 3-year-old de jetons 500-piece au zoom variable "
              "magnificationDigital.")
    flagged = [f.text for f in UntranslatedDetector().detect(context(french, [original]))]
    assert flagged == ["lightweight", "year-old", "piece", "magnificationDigital"]


@pytest.mark.skipif(french_spellchecker() is None, reason="without Grammalecte only function words count")
def test_without_pyspellchecker_the_untranslated_detector_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "spellchecker", None)  # as an install made with --no-deps has it
    with pytest.raises(ConfigError, match="pip install pyspellchecker"):
        UntranslatedDetector()
