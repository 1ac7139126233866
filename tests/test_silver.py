"""Silver data from unlabelled target text: agreement between views, and the reverse method's input."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from spacy_transalign.projection.agreement import agree, set_agreed_ents
from spacy_transalign.projection.propagation import propagate, propagation_table
from spacy_transalign.projection.prose import is_prose

from workflow import SCRIPTS

VIEWS = [
    [(0, 2, "PER"), (4, 5, "LOC")],
    [(0, 2, "PER"), (4, 5, "ORG")],  # same words, other label: no agreement
    [(1, 2, "PER"), (6, 7, "LOC")],
]


def test_two_of_three_views_keep_a_span_and_the_rest_is_missing():
    assert agree(VIEWS, 2) == ([(0, 2, "PER")], [(4, 5), (6, 7)])  # (1, 2) lies inside the kept span
    assert agree(VIEWS, 3) == ([], [(0, 2), (4, 5), (6, 7)])
    kept, missing = agree(VIEWS, 1)
    assert kept == [(0, 2, "PER"), (4, 5, "LOC"), (6, 7, "LOC")] and missing == []  # LOC: first label of equals
    with pytest.raises(ValueError, match="min_votes must be at least 1"):
        agree(VIEWS, 0)


def test_words_of_a_weaker_overlapping_span_are_missing_not_o():
    # "Consejo por la Paz": three views keep "Consejo", one proposes the whole name, one "Paz" as LOC
    views = [[(0, 1, "ORG")], [(0, 1, "ORG")], [(0, 1, "ORG"), (6, 7, "PER")], [(0, 4, "ORG")], [(3, 4, "LOC")]]
    assert agree(views, 3) == ([(0, 1, "ORG")], [(1, 4), (6, 7)])
    nlp = spacy.blank("es")
    doc = Doc(nlp.vocab, words="Consejo por la Paz pide que Juan hable".split())
    assert set_agreed_ents(doc, views, 3) == (1, 4)
    assert [t.ent_iob_ for t in doc] == ["B", "", "", "", "O", "O", "", "O"]


def test_agreed_entities_on_a_doc_survive_a_docbin():
    nlp = spacy.blank("es")
    doc = Doc(nlp.vocab, words="Juan Pérez vive en Madrid con Ana .".split())
    assert set_agreed_ents(doc, VIEWS, 2) == (1, 2)
    (back,) = DocBin(docs=[doc]).from_bytes(DocBin(docs=[doc]).to_bytes()).get_docs(nlp.vocab)
    assert [(t.ent_iob_, t.ent_type_) for t in back] == [
        ("B", "PER"), ("I", "PER"), ("O", ""), ("O", ""), ("", ""), ("O", ""), ("", ""), ("O", "")]


def _doc(vocab, text: str, tags: str) -> Doc:
    """Tags: ``B-X``/``I-X``/``O``, or ``-`` for missing."""
    return Doc(vocab, words=text.split(), ents=[None if t == "-" else t for t in tags.split()])


def test_a_name_agreed_on_in_most_sentences_is_tagged_in_the_rest():
    vocab = spacy.blank("es").vocab
    docs = [
        _doc(vocab, "Madrid ( EFE ) .", "B-LOC O B-ORG O O"),
        _doc(vocab, "Sevilla ( EFE ) .", "B-LOC O B-ORG O O"),
        _doc(vocab, "Roma ( EFE ) .", "B-LOC O - O O"),  # missing: views disagreed
        _doc(vocab, "la EFE dijo que Nueva York no .", "O O O O - - O O"),
        _doc(vocab, "Nueva York y Nueva York .", "B-LOC I-LOC O B-LOC I-LOC O"),
        _doc(vocab, "Estado , el Estado .", "B-ORG O O O O"),  # tagged once in two decided occurrences
        _doc(vocab, "para Juan Pérez .", "O B-PER I-PER O"),
        _doc(vocab, "Juan Pérez .", "B-PER I-PER O"),
        _doc(vocab, "Juan vino .", "O O O"),  # "Juan" alone was never tagged: stays O
    ]
    table = propagation_table(docs, min_count=2, min_ratio=0.5)
    assert table == {("EFE",): "ORG", ("Nueva", "York"): "LOC", ("Juan", "Pérez"): "PER"}
    assert propagate(docs, table) == 3
    assert [(e.text, e.label_) for e in docs[2].ents] == [("Roma", "LOC"), ("EFE", "ORG")]
    assert [(e.text, e.label_) for e in docs[3].ents] == [("EFE", "ORG"), ("Nueva York", "LOC")]
    assert [t.ent_iob_ for t in docs[3]] == ["O", "B", "O", "O", "B", "I", "O", "O"]
    assert [(e.text, e.label_) for e in docs[5].ents] == [("Estado", "ORG")]
    assert not docs[8].ents and [t.ent_iob_ for t in docs[8]] == ["O", "O", "O"]


def test_propagation_keeps_lower_case_words_and_other_entities_alone():
    vocab = spacy.blank("es").vocab
    docs = [_doc(vocab, "el gobierno habló", "O B-ORG O"), _doc(vocab, "el gobierno y San Juan", "O B-ORG O B-LOC I-LOC"),
            _doc(vocab, "Juan vino", "B-PER O"), _doc(vocab, "Juan llegó", "B-PER O"), _doc(vocab, "el gobierno calló", "O O O")]
    table = propagation_table(docs)
    assert table == {("Juan",): "PER"}  # "gobierno": lower case; "San Juan": once
    assert propagate(docs, table) == 0  # "Juan" inside "San Juan" belongs to that entity
    assert propagate(docs, {}) == 0 and propagation_table([_doc(vocab, "a b", "O O")]) == {}
    # a script without case has no capitalisation to go by
    zh = [_doc(vocab, "北京 很 大", "B-LOC O O"), _doc(vocab, "北京 很 小", "B-LOC O O"), _doc(vocab, "在 北京", "O O")]
    assert propagate(zh, propagation_table(zh)) == 1 and [e.text for e in zh[2].ents] == ["北京"]


def _prepare(tmp_path: Path, bio: str, name: str) -> bytes:
    source = tmp_path / f"{name}.bio"
    source.write_text(bio, encoding="utf-8")
    out = tmp_path / f"{name}.spacy"
    subprocess.run([sys.executable, str(SCRIPTS / "prepare_text.py"), str(source), str(out)], check=True, capture_output=True)
    return out.read_bytes()


def test_prose_leaves_out_tables_headlines_and_datelines(shared_data):
    from spacy_transalign.corpora import read_bio

    vocab = spacy.blank("en").vocab
    for text, prose in (("CHICAGO 1996-08-26", False), ("1860 Munich 3 1 0 2 3 5 3", False), ("Peter Blackburn", False),
                        ("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .", False), ("", False),
                        ("EU rejects German call to boycott British lamb .", True), ("Daoud said .", True),
                        ("Anna Kournikova ( Russia ) beat Natalia Baudone ( Italy ) 6-3 6-3", True)):
        assert is_prose(Doc(vocab, words=text.split())) is prose, text
    sentences = read_bio(shared_data / "conll2003_en" / "train.txt")
    kept = sum(is_prose(Doc(vocab, words=words)) for words, _ in sentences)
    assert (len(sentences), kept) == (14042, 8663)  # 38% of the sentences are not prose


def test_no_label_reaches_the_reverse_method(tmp_path):
    """The reverse method's text is read without its labels: other labels give the same bytes,
    the Docs carry no entity annotation, and the projection script refuses annotated Docs."""
    words = ["Juan", "vive", "en", "Madrid", "."], ["Ana", "trabaja", "."]
    gold = "\n\n".join("\n".join(f"{w} {t}" for w, t in zip(ws, ts)) for ws, ts in
                       zip(words, (["B-PER", "O", "O", "B-LOC", "O"], ["B-PER", "O", "O"]))) + "\n"
    wrong = "\n\n".join("\n".join(f"{w} B-ORG" for w in ws) for ws in words) + "\n"
    assert _prepare(tmp_path, gold, "gold") == _prepare(tmp_path, wrong, "wrong")
    docs = list(DocBin().from_disk(tmp_path / "gold.spacy").get_docs(spacy.blank("es").vocab))
    assert [[t.text for t in d] for d in docs] == [list(w) for w in words]
    assert not any(d.has_annotation("ENT_IOB") for d in docs) and all(d.has_annotation("SENT_START") for d in docs)
    labelled = tmp_path / "labelled.spacy"
    DocBin(docs=[Doc(spacy.blank("es").vocab, words=["Juan"], ents=["B-PER"])]).to_disk(labelled)
    run = subprocess.run([sys.executable, str(SCRIPTS / "project_corpus.py"), str(labelled), str(tmp_path / "o.spacy"),
                          str(tmp_path / "o.json"), "--method", "reverse", "--annotate-with", str(tmp_path)],
                         capture_output=True, text=True)
    message = " ".join(re.sub(r"[│╭╮╰╯─]", " ", run.stderr).split())  # typer draws a box around it
    assert run.returncode != 0 and "takes unlabelled text, but its Docs carry entity annotation" in message


def _run(script, *args):
    run = subprocess.run([sys.executable, str(SCRIPTS / script), *map(str, args)], capture_output=True, text=True)
    return run.returncode, run.stdout, run.stderr


def test_reverse_text_may_be_plain_text_and_bad_input_is_one_clear_line(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("Juan vive en Madrid .\n\n\nAna trabaja en la ONU .\n", encoding="utf-8")
    rc, out, _ = _run("prepare_text.py", plain, tmp_path / "plain.spacy")
    assert rc == 0 and "2 unlabelled sentences" in out and "2 empty lines skipped" in out
    docs = list(DocBin().from_disk(tmp_path / "plain.spacy").get_docs(spacy.blank("es").vocab))
    assert [d.text for d in docs] == ["Juan vive en Madrid .", "Ana trabaja en la ONU ."]
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Juan vive en Madrid .\nCaf\xe9 de Par\xeds .\n".encode("latin-1"))
    rc, _, err = _run("prepare_text.py", latin, tmp_path / "latin.spacy")
    assert rc == 1 and err.splitlines()[0].startswith(f"Error: {latin}, line 2: not valid utf-8")
    assert not (tmp_path / "latin.spacy").exists()
    rc, out, _ = _run("prepare_text.py", latin, tmp_path / "latin.spacy", "--encoding", "latin-1")
    assert rc == 0 and "2 unlabelled sentences" in out
    rc, _, err = _run("project_corpus.py", tmp_path / "plain.spacy", tmp_path / "o.spacy", tmp_path / "o.json",
                      "--method", "reverse", "--annotate-with", "no_such_english_pipeline")
    assert rc == 1 and "'no_such_english_pipeline': no such spaCy pipeline" in err and "train-source" in err
    assert not (tmp_path / "o.spacy").exists()
    long = tmp_path / "long.txt"
    long.write_text("Juan vive en Madrid .\n" + "palabra " * 140_000 + "\n", encoding="utf-8")
    rc, _, err = _run("prepare_text.py", long, tmp_path / "long.spacy")
    assert rc == 1 and f"{long}, line 2: 1,120,000 characters, over spaCy's max_length (1,000,000)" in err


def _tiny_ner(path: Path, iterations: int) -> Path:
    """A small trained Spanish NER pipeline, so the silver script tags with a real model."""
    from spacy.training import Example

    nlp = spacy.blank("es")
    nlp.add_pipe("ner")
    vocab = nlp.vocab
    sentences = [(["Juan", "vive", "en", "Madrid", "."], ["B-PER", "O", "O", "B-LOC", "O"]),
                 (["Ana", "trabaja", "en", "la", "ONU", "."], ["B-PER", "O", "O", "O", "B-ORG", "O"]),
                 (["El", "Gobierno", "de", "España", "habló", "."], ["O", "B-ORG", "O", "B-LOC", "O", "O"])]
    examples = [Example(nlp.make_doc(" ".join(w)), Doc(vocab, words=w, ents=t)) for w, t in sentences]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(iterations):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(path)
    return path


@pytest.mark.slow
def test_models_tag_side_by_side_as_they_tag_one_after_another(tmp_path):
    """combine_silver.py --jobs 2 forks a tagger per model: the silver, the counts and which view
    is which must be those of --jobs 1 (the models tag different numbers of entities)."""
    import json

    models = [_tiny_ner(tmp_path / "a", 30), _tiny_ner(tmp_path / "b", 4)]
    text = tmp_path / "text.txt"
    text.write_text("Juan vive en Madrid .\nAna trabaja en la ONU .\nEl Gobierno de España habló .\n"
                    "Ana vive en España .\nJuan trabaja en Madrid .\n", encoding="utf-8")
    assert _run("prepare_text.py", text, tmp_path / "text.spacy")[0] == 0
    direct = {}
    for model in models:
        nlp = spacy.load(model)
        direct[str(model)] = sum(len(d.ents) for d in nlp.pipe(DocBin().from_disk(tmp_path / "text.spacy").get_docs(nlp.vocab)))
    assert len(set(direct.values())) == 2, direct
    results = []
    for jobs in (1, 2):
        out = tmp_path / f"silver{jobs}.spacy"
        rc, _, err = _run("combine_silver.py", tmp_path / "text.spacy", out, tmp_path / f"s{jobs}.json",
                          "--model", models[0], "--model", models[1], "--min-votes", "1", "--jobs", jobs)
        assert rc == 0, err
        summary = json.loads((tmp_path / f"s{jobs}.json").read_text())
        docs = DocBin().from_disk(out).get_docs(spacy.blank("es").vocab)
        results.append((summary, [[(e.start, e.end, e.label_) for e in d.ents] for d in docs]))
    assert results[0] == results[1]
    assert results[0][0]["entities_per_view"] == direct
