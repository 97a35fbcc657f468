"""The content-review rules on a labelled corpus in five languages (precision and recall
printed), and the matching rules one by one."""

from newsletter.compliance import contentrules
from newsletter.compliance.categories import DEFAULTS
from newsletter.compliance.contentrules import Category, fold, matches

from .corpus import CORPUS


def categories_of(subject: str, body: str, link: str = "") -> set[str]:
    found = contentrules.review(list(DEFAULTS), [("subject", subject), ("text", body),
                                                 ("link", link)])
    return {f.category for f in found}


def test_corpus_precision_and_recall():
    assert len(CORPUS) >= 50 and {lang for lang, *_ in CORPUS} == {"en", "sk", "cs", "de",
                                                                   "sl"}
    tp = fp = fn = 0
    wrong = []
    for lang, subject, body, expected in CORPUS:
        got = categories_of(subject, body)
        tp, fp, fn = tp + len(got & expected), fp + len(got - expected), fn + len(expected - got)
        if got != expected:
            wrong.append((lang, subject, sorted(got), sorted(expected)))
    precision, recall = tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)
    print(f"content review corpus: {len(CORPUS)} campaigns, precision {precision:.3f}, "
          f"recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95, wrong


def test_stems_diacritics_and_word_boundaries():
    text = fold("Kratómové čaje, e-CIGARETY a evaporácia")
    assert matches("kratom*", text) and matches("e cigaret*", text)
    assert not matches("vap*", text)  # "evaporácia" does not start with it
    assert not matches("vape", fold("vaporetto"))
    assert matches("nasli sme vas* kontakt*", fold("Našli sme Váš e-mailový kontakt"))
    assert not matches("nasli sme vas* kontakt*", fold("našli sme to, ale potom váš ďalší "
                                                       "dobrý nápad ... kontakt"))


def test_link_targets_and_passages():
    found = contentrules.review(list(DEFAULTS), [("subject", "News"), (
        "link", "https://best-kratom-shop.example/buy")])
    assert [(f.category, f.where, f.passage) for f in found] == [
        ("kratom", "link", "kratom")]
    assert found[0].before == "https://best-" and found[0].after == "-shop.example/buy"


def test_allowed_phrases_cancel_only_what_they_cover():
    thc = next(c for c in DEFAULTS if c.key == "thc")
    found = contentrules.review([thc], [("text", "CBD krém bez THC. Nové HHC kvety.")])
    assert [f.passage for f in found] == ["HHC"]


def test_selling_words_void_an_exception():
    kratom = Category("kratom", "Kratom", ("kratom*",), exceptions=("petic*",),
                      void=("kup*",))
    assert not contentrules.review([kratom], [("text", "Podpíšte petíciu o kratome.")])
    assert contentrules.review([kratom], [("text", "Petícia o kratome; kúpte kratom.")])
