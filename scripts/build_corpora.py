"""Build data/corpora/ from Debian's documentation packages (run once; the output is committed).

Debian ships human French translations of its English documentation, paragraph-aligned by
po4a: the same <p> count in each chapter of both languages. Each article of a corpus is a
run of consecutive translated paragraphs: the French is the human translation, the English
paragraphs are its references, and ``apertium-mt/`` holds a machine translation of the same
English (Apertium en→es→fr), a worse French version of the same text for regression tests.

    cd /tmp && apt-get download maint-guide maint-guide-fr debian-faq debian-faq-fr
    for f in *.deb; do dpkg-deb -x "$f" debdocs; done
    python scripts/build_corpora.py /tmp/debdocs
"""

from __future__ import annotations

import argparse
import html.parser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "data" / "corpora"

SOURCES = {
    "debian-maint-guide": {
        "title": "Debian New Maintainers' Guide",
        "packages": "maint-guide 1.2.53 (English), maint-guide-fr 1.2.53 (French), Debian 12",
        "licence": "GPL-2.0-or-later (Josip Rodin, Osamu Aoki, Craig Small, Raphaël Hertzog and translators)",
        "url": "https://www.debian.org/doc/manuals/maint-guide/",
        "en": "usr/share/doc/maint-guide/html/{chapter}.en.html",
        "fr": "usr/share/doc/maint-guide-fr/html/{chapter}.fr.html",
        "chapters": ["start", "first", "modify", "dreq", "build", "checkit", "upload", "update"],
    },
    "debian-faq": {
        "title": "The Debian GNU/Linux FAQ",
        "packages": "debian-faq 11.1 (English), debian-faq-fr 11.1 (French), Debian 12",
        "licence": "verbatim and modified copies and translations permitted (Software in the Public Interest; "
                   "see the package's copyright file, reproduced in LICENCE)",
        "url": "https://www.debian.org/doc/manuals/debian-faq/",
        "en": "usr/share/doc/debian/FAQ/{chapter}.en.html",
        "fr": "usr/share/doc/debian/FAQ/fr/{chapter}.fr.html",
        "chapters": ["basic-defs", "choosing", "compatibility", "software", "pkg-basics", "pkgtools",
                     "uptodate", "customizing", "support", "contributing"],
    },
}
PARAGRAPHS_PER_ARTICLE = 4
ARTICLES_PER_CHAPTER = 2


class _Paragraphs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "p":
            self._current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._current is not None:
            self.paragraphs.append(re.sub(r"\s+", " ", "".join(self._current)).strip())
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def paragraphs(path: Path) -> list[str]:
    parser = _Paragraphs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.paragraphs


def usable(en: str, fr: str) -> bool:
    """Translated prose: not left in English, not a command line or a one-liner."""
    return en != fr and len(en) >= 80 and len(fr) >= 80 and not re.search(r"[$#] |\{|\}|<<", en)


def apertium_en_fr(texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        es = subprocess.run(["apertium", "-u", "eng-spa"], input=text, capture_output=True, text=True, check=True)
        fr = subprocess.run(["apertium", "-u", "es-fr"], input=es.stdout, capture_output=True, text=True, check=True)
        out.append(fr.stdout.strip())
    return out


def build(extracted: Path) -> None:
    for name, source in SOURCES.items():
        corpus = CORPORA / name
        shutil.rmtree(corpus, ignore_errors=True)
        for chapter in source["chapters"]:
            en = paragraphs(extracted / source["en"].format(chapter=chapter))
            fr = paragraphs(extracted / source["fr"].format(chapter=chapter))
            if len(en) != len(fr):
                print(f"{name}/{chapter}: {len(en)} English vs {len(fr)} French paragraphs, skipped", file=sys.stderr)
                continue
            pairs = [(i, e, f) for i, (e, f) in enumerate(zip(en, fr)) if usable(e, f)]
            for n in range(ARTICLES_PER_CHAPTER):
                chunk = pairs[n * PARAGRAPHS_PER_ARTICLE:(n + 1) * PARAGRAPHS_PER_ARTICLE]
                if len(chunk) < PARAGRAPHS_PER_ARTICLE:
                    break
                article_id = f"{chapter}-{n + 1}"
                human = corpus / "articles" / article_id
                human.mkdir(parents=True)
                (human / "article.fr.txt").write_text("\n\n".join(f for _, _, f in chunk) + "\n", encoding="utf-8")
                refs = [{"id": f"p{i}", "text": e, "source": f"{source['url']} ({chapter}, paragraph {i})"}
                        for i, e, _ in chunk]
                (human / "references.en.jsonl").write_text(
                    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in refs), encoding="utf-8")
                machine = corpus / "apertium-mt" / article_id
                machine.mkdir(parents=True)
                (machine / "article.fr.txt").write_text(
                    "\n\n".join(apertium_en_fr([e for _, e, _ in chunk])) + "\n", encoding="utf-8")
        (corpus / "SOURCE.md").write_text(
            f"# {name}\n\n{source['title']}, {source['url']}\n\n"
            f"- Taken from Debian packages {source['packages']} by `scripts/build_corpora.py`.\n"
            f"- Licence: {source['licence']}.\n"
            f"- `articles/<id>/article.fr.txt`: {PARAGRAPHS_PER_ARTICLE} consecutive paragraphs of the human French "
            "translation; `references.en.jsonl`: the English original of each paragraph.\n"
            "- `apertium-mt/<id>/article.fr.txt`: Apertium en→es→fr machine translation of the same English "
            "(apertium-eng-spa, apertium-fr-es), used to degrade the corpus in tests.\n"
            "- `backtranslations.jsonl`: stored back-translations (see `mtcheck regress --help`).\n",
            encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("extracted", type=Path, help="folder where the .deb packages were extracted")
    build(parser.parse_args().extracted)
