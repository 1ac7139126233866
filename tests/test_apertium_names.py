"""Names typed by an Apertium dictionary: exact spans, each sentence as if alone, clear errors."""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

from spacy_transalign.translators.apertium import ApertiumNotAvailableError
from spacy_transalign.translators.apertium_names import ApertiumNames, name_spans

from needs import needs_apertium
from workflow import SCRIPTS


def test_name_spans_reads_the_taggers_units_by_their_surface_forms():
    """Given name + surname are one person, a multiword entry is one name, two places in a row
    are two; quotes between units, escaped characters and the unit the deformatter adds at
    the end are skipped; a word the dictionary does not know is no name."""
    words = ["Ana", "López", "vio", '"', "Estados", "Unidos", '"', "y", "Castilla", "León", "con", "A^B", "y", "Xyz", "."]
    tagged = ('^Ana/Ana<np><ant><f><sg>$ ^López/López<np><cog><mf><sg>$ ^vio/ver<vblex><ifi><p3><sg>$ '
              '"^Estados Unidos/Estados Unidos<np><loc><m><pl>$" ^y/y<cnjcoo>$ ^Castilla/Castilla<np><loc><f><sg>$ '
              '^León/León<np><loc><m><sg>$ ^con/con<pr>$ ^A\\^B/A\\^B<np><al><mf><sg>$ ^y/y<cnjcoo>$ ^Xyz/*Xyz$ '
              '^./.<sent>$^./.<sent>$[][\n]')
    assert name_spans(words, tagged) == [(0, 2, "PER"), (4, 6, "LOC"), (8, 9, "LOC"), (9, 10, "LOC"), (11, 12, "ORG")]
    assert name_spans(words, tagged, types={"loc": "GPE"}) == [(4, 6, "GPE"), (8, 9, "GPE"), (9, 10, "GPE")]


@needs_apertium
def test_apertium_names_tags_spanish_docs():
    nlp = spacy.blank("es")
    docs = [nlp(t) for t in ["Juan Miguel Núñez llegó a Barcelona con EFE .",
                             'El "Valencia" ganó en Santiago de Compostela y Estados Unidos a Telefónica .', "", "  "]]
    names = ApertiumNames("es")
    assert names.mode == "spa-eng"
    assert names(docs) == [
        [(0, 3, "PER"), (5, 6, "LOC"), (7, 8, "ORG")],
        # the dictionary knows no context: the club is a woman's name
        [(2, 3, "PER"), (6, 9, "LOC"), (10, 12, "LOC"), (13, 14, "ORG")],
        [], [],
    ]


@needs_apertium
def test_apertium_names_batch_equals_each_sentence_alone(shared_data):
    """Alone, sentence 384 of esp.train ('Siria considera ...') starts with a person (the tagger's
    choice between Siria<np><ant> and Siria<np><loc>); a tagger that an earlier sentence's
    unknown ambiguity class has changed makes it a place. One analysis of the whole batch does
    that, ours does not."""
    from spacy_transalign.corpora import read_bio

    sentences = [words for words, _ in read_bio(shared_data / "conll2002_es" / "esp.train")][340:400]
    tag = ("apertium-destxt | lt-proc /usr/share/apertium/apertium-eng-spa/spa-eng.automorf.bin | "
           "apertium-tagger -g -p /usr/share/apertium/apertium-eng-spa/spa-eng.prob")

    def analyse(lines):
        out = subprocess.run(["bash", "-c", tag], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
        return out.stdout.split("[\n]")

    with ThreadPoolExecutor(4) as pool:
        alone = list(pool.map(lambda words: name_spans(words, analyse([" ".join(words)])[0]), sentences))
    one_stream = [name_spans(w, out) for w, out in zip(sentences, analyse([" ".join(w) for w in sentences]))]
    vocab = spacy.blank("es").vocab
    ours = ApertiumNames("es")([Doc(vocab, words=w) for w in sentences])
    assert ours == alone
    assert [k for k in range(len(sentences)) if one_stream[k] != alone[k]] == [384 - 340]
    assert alone[384 - 340][0] == (0, 1, "PER") and one_stream[384 - 340][0] == (0, 1, "LOC")


@needs_apertium
def test_a_language_without_an_apertium_analyser_is_named():
    with pytest.raises(ApertiumNotAvailableError, match="'fi'.*Install an Apertium pair that translates from it"):
        ApertiumNames("fi")


@needs_apertium
def test_combine_silver_takes_the_dictionary_as_one_more_view(tmp_path):
    """One projected view plus the dictionary, two votes needed: only the names both propose survive."""
    nlp = spacy.blank("es")
    docs = [nlp("Juan Miguel Núñez llegó a Barcelona con EFE ."), nlp("Ana vive en Madrid .")]
    DocBin(docs=docs).to_disk(tmp_path / "text.spacy")
    projected = [nlp("Juan Miguel Núñez llegó a Barcelona con EFE ."), nlp("Ana vive en Madrid .")]
    projected[0].ents = [Span(projected[0], 0, 3, "PER"), Span(projected[0], 5, 6, "ORG")]
    projected[1].ents = [Span(projected[1], 3, 4, "LOC")]
    DocBin(docs=projected).to_disk(tmp_path / "reverse.spacy")
    proc = subprocess.run([sys.executable, str(SCRIPTS / "combine_silver.py"), str(tmp_path / "text.spacy"),
                           str(tmp_path / "silver.spacy"), str(tmp_path / "summary.json"),
                           "--projected", str(tmp_path / "reverse.spacy"), "--apertium-names", "es",
                           "--min-votes", "2", "--no-propagate"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    silver = list(DocBin().from_disk(tmp_path / "silver.spacy").get_docs(nlp.vocab))
    assert [[(e.text, e.label_) for e in d.ents] for d in silver] == [[("Juan Miguel Núñez", "PER")], [("Madrid", "LOC")]]
    # Barcelona (one vote, ORG against LOC) and EFE (one vote) are missing, not O
    assert [t.text for t in silver[0] if t.ent_iob_ == ""] == ["Barcelona", "EFE"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["views"] == ["reverse", "apertium_names:spa-eng"]
    assert summary["entities_per_view"] == {"reverse": 3, "apertium_names:spa-eng": 5}


@needs_apertium
def test_combine_silver_names_a_missing_analyser_before_any_work(tmp_path):
    nlp = spacy.blank("es")
    DocBin(docs=[nlp("Ana vive en Madrid .")]).to_disk(tmp_path / "text.spacy")
    proc = subprocess.run([sys.executable, str(SCRIPTS / "combine_silver.py"), str(tmp_path / "text.spacy"),
                           str(tmp_path / "silver.spacy"), str(tmp_path / "summary.json"), "--apertium-names", "fi"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: No installed Apertium mode analyses 'fi'")
    assert not (tmp_path / "silver.spacy").exists() and not (tmp_path / "summary.json").exists()
