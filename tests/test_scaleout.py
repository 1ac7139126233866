"""Corpus-scale projection: shards read lazily, the vote as map and reduce, Ray = one process,
kill and resume, a bad shard."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from spacy_transalign.files import InputFileError
from spacy_transalign.projection.prose import is_prose
from spacy_transalign.projection.voting import count_labels, merge_label_counts, vote_span_labels, vote_winners
from spacy_transalign.scaleout import ProjectionSettings, build_pipeline, plan_shards, project_corpus, read_shard

from needs import needs_apertium
from workflow import SCRIPTS



def _has_catalan() -> bool:
    from spacy_transalign.translators.apertium import installed_modes

    return shutil.which("apertium") is not None and "eng-cat" in installed_modes()


needs_catalan = pytest.mark.skipif(not _has_catalan(), reason="apertium-eng-cat not installed")
BIO = "-DOCSTART- O\n\nJohn B-PER\nlives O\n\nin O\nParis B-LOC\n.\tO\n\nACME B-ORG\nrose O\n"


def test_shards_are_planned_in_one_scan_and_read_alone(tmp_path):
    bio = tmp_path / "a.bio"
    bio.write_text(BIO, encoding="utf-8")
    text = tmp_path / "b.txt"
    text.write_text("Hola mundo .\n\nAdiós .\nOtra frase aquí\n", encoding="utf-8")
    shards = plan_shards([bio, text], shard_size=2)
    assert [(s.index, Path(s.path).name, s.format, s.first, s.count, s.first_line, s.end_line) for s in shards] == [
        (0, "a.bio", "bio", 0, 2, 2, 8), (1, "a.bio", "bio", 2, 1, 9, 11),
        (2, "b.txt", "text", 0, 2, 0, 3), (3, "b.txt", "text", 2, 1, 3, 4)]
    nlp = spacy.blank("en")
    docs = read_shard(shards[0], nlp)
    assert [[t.text for t in d] for d in docs] == [["John", "lives"], ["in", "Paris", "."]]
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [[("John", "PER")], [("Paris", "LOC")]]
    assert not any(d.has_annotation("ENT_IOB") for d in read_shard(shards[0], nlp, labels=False))
    assert [d.text for d in read_shard(shards[2], nlp)] == ["Hola mundo .", "Adiós ."]
    DocBin(docs=read_shard(shards[0], nlp) + read_shard(shards[1], nlp)).to_disk(tmp_path / "c.spacy")
    (first, second) = plan_shards([tmp_path / "c.spacy"], shard_size=2)
    assert (first.count, second.first, second.count) == (2, 2, 1)
    assert [[t.text for t in d] for d in read_shard(second, nlp)] == [["ACME", "rose"]]


def test_a_bad_line_is_named_with_its_line_in_the_file(tmp_path):
    bio = tmp_path / "bad.bio"
    bio.write_text(BIO.replace("rose O", "rose X-ORG"), encoding="utf-8")
    shards = plan_shards([bio], shard_size=2)
    read_shard(shards[0], spacy.blank("en"))  # the first shard is fine
    with pytest.raises(ValueError, match=r"bad\.bio, line 11: tag .X-ORG. is not BIO"):
        read_shard(shards[1], spacy.blank("en"))
    with pytest.raises(ValueError, match="shard_size must be at least 1"):
        plan_shards([bio], 0)
    with pytest.raises(InputFileError, match="no such file"):
        plan_shards([tmp_path / "nothing.bio"], 10)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 ol\xe9\n".encode("latin-1"))
    with pytest.raises(InputFileError, match="latin.txt: not valid utf-8 near byte 3"):
        plan_shards([latin], 10)


def test_the_vote_as_map_and_reduce_equals_the_vote_over_all_sentences():
    words = [["Mali", "won"], ["in", "Mali"], ["Mali", "lost"], ["Bamako", "and", "Mali"], ["Bamako"], ["Bamako", "."]]
    spans = [[(0, 1, "ORG")], [(1, 2, "LOC")], [(0, 1, "LOC")], [(0, 1, "ORG"), (2, 3, "LOC")], [(0, 1, "LOC")], [(0, 1, "LOC")]]
    voted, changed = vote_span_labels(words, spans)
    assert changed == 2 and voted[0] == [(0, 1, "LOC")] and voted[3] == [(0, 1, "LOC"), (2, 3, "LOC")]
    shards = [range(0, 2), range(2, 4), range(4, 6)]
    parts = [count_labels((" ".join(words[k][s:e]), label) for k in shard for s, e, label in spans[k]) for shard in shards]
    winners = vote_winners(merge_label_counts(parts))
    assert winners == {"Mali": "LOC", "Bamako": "LOC"}
    assert [[(s, e, winners.get(" ".join(words[k][s:e]), label)) for s, e, label in spans[k]] for k in range(6)] == voted
    tie = merge_label_counts([count_labels([("X", "ORG")]), count_labels([("X", "PER")])])
    assert vote_winners(tie) == {"X": "ORG"}  # a tie keeps the label seen first, in corpus order


def _conll_bio(shared_data: Path, n: int, path: Path) -> Path:
    from spacy_transalign.corpora import read_bio, write_bio

    write_bio(path, read_bio(shared_data / "conll2003_en" / "train.txt")[:n])
    return path


def _docs(path: Path, lang: str = "es"):
    return list(DocBin().from_disk(path).get_docs(spacy.blank(lang).vocab))


@pytest.mark.slow
@needs_apertium
def test_sharded_ray_run_equals_one_pipeline_over_the_whole_corpus(tmp_path, shared_data, tiny_nllb):
    """2,000 CoNLL sentences, Apertium and the (deterministic) encoder aligner of a tiny NLLB:
    four shards on two Ray actors give the Docs and entities of one pipeline run, vote included."""
    ray = pytest.importorskip("ray")
    bio = _conll_bio(shared_data, 2000, tmp_path / "train.bio")
    settings = ProjectionSettings(aligner="transalign", align_model=str(tiny_nllb), align_layer=2, cache_dir=str(tmp_path / "cache"))
    nlp = build_pipeline(settings, "es", "spa_Latn", vote=True, batch_size=10**9)
    (shard,) = plan_shards([bio], 10**6)
    reference = [doc._.translation for doc in nlp.pipe(read_shard(shard, nlp))]
    relabelled = nlp.get_pipe("transalign_projector").summary["relabelled_by_vote"]
    try:
        summary = project_corpus([bio], tmp_path / "out", ["es"], settings, engine="ray", num_actors=2, shard_size=500,
                                 show_progress=False)
    finally:
        ray.shutdown()
    entry = summary["languages"]["es"]
    assert entry["failed_shards"] == [] and entry["shards_done"] == 4 and entry["docs_out"] == 2000
    assert entry["relabelled_by_vote"] == relabelled > 0
    sharded = [doc for path in entry["outputs"] for doc in _docs(Path(path))]
    assert [[t.text for t in d] for d in sharded] == [[t.text for t in d] for d in reference]
    assert [[(e.start, e.end, e.label_) for e in d.ents] for d in sharded] == [[(e.start, e.end, e.label_) for e in d.ents] for d in reference]
    assert sum(len(d.ents) for d in sharded) > 1000


def _cli(bio: Path, out: Path, cache: Path, model: Path) -> list:
    return [sys.executable, "-m", "spacy_transalign", "project-corpus", str(bio), str(out), "--tgt-langs", "es,ca",
            "--aligner", "transalign", "--align-model", str(model), "--align-layer", "2", "--shard-size", "50",
            "--cache-dir", str(cache)]


def _cached_rows(cache: Path) -> int:
    with sqlite3.connect(str(cache / "translations.sqlite")) as db:
        return db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]


@pytest.mark.slow
@needs_catalan
def test_a_killed_run_resumes_to_the_same_bytes_translating_nothing_twice(tmp_path, shared_data, tiny_nllb):
    bio = _conll_bio(shared_data, 200, tmp_path / "train.bio")
    whole = subprocess.run(_cli(bio, tmp_path / "whole", tmp_path / "cache_whole", tiny_nllb), capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr
    run = subprocess.Popen(_cli(bio, tmp_path / "killed", tmp_path / "cache", tiny_nllb), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    work = tmp_path / "killed" / "es" / ".work"
    deadline = time.monotonic() + 300
    while len(list(work.glob("shard-*.json"))) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    done_before = {p.name for p in work.glob("shard-*.json")}
    assert 2 <= len(done_before) < 4, "the run was not killed midway"
    assert not (tmp_path / "killed" / "summary.json").exists()
    cached_before = _cached_rows(tmp_path / "cache")
    again = subprocess.run(_cli(bio, tmp_path / "killed", tmp_path / "cache", tiny_nllb), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    summary = json.loads((tmp_path / "killed" / "summary.json").read_text())
    assert summary["shards_resumed"] == len(done_before)
    for lang in ("es", "ca"):
        names = sorted(p.name for p in (tmp_path / "whole" / lang).glob("shard-*.spacy"))
        assert len(names) == 4
        for name in names:
            assert (tmp_path / "killed" / lang / name).read_bytes() == (tmp_path / "whole" / lang / name).read_bytes(), (lang, name)
    # every sentence translated once: what the rerun translated is exactly what the killed run had not cached
    translated_again = sum(json.loads(p.read_text())["translated"] for lang in ("es", "ca")
                           for p in (tmp_path / "killed" / lang / ".work").glob("shard-*.json")
                           if not (lang == "es" and p.name in done_before))
    assert cached_before + translated_again == _cached_rows(tmp_path / "cache") == _cached_rows(tmp_path / "cache_whole")


@needs_apertium
def test_a_shard_with_a_bad_line_fails_alone_and_is_named(tmp_path, english_news):
    from spacy_transalign.corpora import write_bio

    bio = tmp_path / "news.bio"
    write_bio(bio, english_news[:40])
    lines = bio.read_text(encoding="utf-8").split("\n")
    sentence_starts = [k for k, line in enumerate(lines) if line and (k == 0 or not lines[k - 1])]
    bad = sentence_starts[25] + 1  # a line in the third shard of 10 sentences
    word = lines[bad].split()[0]
    lines[bad] = f"{word} B_PER"
    bio.write_text("\n".join(lines), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "spacy_transalign", "project-corpus", str(bio), str(tmp_path / "out"),
                          "--shard-size", "10", "--batch-size", "7"], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"1 shard(s) failed, e.g. shard-00002: {bio}, line {bad + 1}:" in run.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    entry = summary["languages"]["es"]
    assert [f["shard"] for f in entry["failed_shards"]] == ["shard-00002"] and entry["shards_done"] == 3
    assert sorted(p.name for p in (tmp_path / "out" / "es" / ".work").glob("*.json")) == [
        "shard-00000.json", "shard-00001.json", "shard-00003.json"]
    assert "outputs" not in entry  # the vote needs every shard: no final output until the rerun
    assert summary["settings"]["batch_size"] == 7 and entry["docs_out"] == 30 and entry["sentences"] == 30


def _words_and_ents(docs):
    return [([t.text for t in d], [(e.start, e.end, e.label_) for e in d.ents]) for d in docs]


@pytest.mark.slow
@needs_apertium
def test_the_workflow_script_is_one_call_of_the_library_and_shards_change_nothing(tmp_path, shared_data, tiny_nllb):
    """scripts/project_corpus.py over one shard and over three gives the Docs, the filtered Docs, the
    prose Docs and the view Docs of one pipeline run with the label vote (the old script's way), and cleans up."""
    from spacy_transalign.extensions import register_extensions

    from spacy_transalign.corpora import read_bio, write_bio

    sentences = read_bio(shared_data / "conll2003_en" / "train.txt")[:117]
    # one name, labelled ORG in the first shard and LOC in the other two: the vote crosses shards
    for at, label in ((10, "ORG"), (50, "LOC"), (90, "LOC")):
        sentences.insert(at, (["Mali", "won", "again", "."], [f"B-{label}", "O", "O", "O"]))
    bio = tmp_path / "train.bio"
    write_bio(bio, sentences)
    settings = ProjectionSettings(aligner="transalign", align_model=str(tiny_nllb), align_layer=2)
    nlp = build_pipeline(settings, "es", "spa_Latn", vote=True, batch_size=10**9)
    (shard,) = plan_shards([bio], 10**6)
    piped = list(nlp.pipe(read_shard(shard, nlp)))
    reference = [doc._.translation for doc in piped]
    kept = [doc._.translation for doc in piped if not any(o["reason"].startswith("dropped") for o in doc._.projection)]
    prose = [doc._.translation for doc in piped if is_prose(doc)]  # decided on the English
    assert 0 < len(prose) < len(reference)
    assert 0 < len(kept) < len(reference) and nlp.get_pipe("transalign_projector").summary["relabelled_by_vote"] > 0
    script = SCRIPTS / "project_corpus.py"
    register_extensions()
    for name, shard_size in (("whole", "0"), ("sharded", "40")):
        out = tmp_path / name
        run = subprocess.run([sys.executable, str(script), str(bio), f"{out}.spacy", f"{out}.json", "--aligner", "transalign",
                              "--align-model", str(tiny_nllb), "--align-layer", "2", "--shard-size", shard_size,
                              "--filtered-output", f"{out}_filtered.spacy", "--view-output", f"{out}_view.spacy",
                              "--prose-output", f"{out}_prose.spacy"],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        summary = json.loads(Path(f"{out}.json").read_text())
        assert summary["shards"] == (1 if name == "whole" else 3) and summary["docs_out"] == len(reference)
        assert summary["docs_without_dropped_entities"] == len(kept) and summary["docs_prose"] == len(prose)
        assert _words_and_ents(_docs(Path(f"{out}.spacy"))) == _words_and_ents(reference), name
        assert _words_and_ents(_docs(Path(f"{out}_filtered.spacy"))) == _words_and_ents(kept), name
        assert _words_and_ents(_docs(Path(f"{out}_prose.spacy"))) == _words_and_ents(prose), name
        view = _docs(Path(f"{out}_view.spacy"), "en")
        assert _words_and_ents(d._.translation for d in view) == _words_and_ents(reference), name
        assert [d._.alignment.pairs for d in view] == [d._.alignment.pairs for d in piped]
        scores = [score for d in view for score in d._.alignment.scores]
        assert len(scores) > 1000 and scores == pytest.approx([score for d in piped for score in d._.alignment.scores], abs=1e-5)  # other batches: float noise
        assert not Path(f"{out}.spacy.shards").exists()


@needs_apertium
def test_a_rerun_with_other_settings_is_refused_rather_than_mixed(tmp_path, english_news, tiny_nllb):
    from spacy_transalign.corpora import write_bio

    bio = tmp_path / "news.bio"
    write_bio(bio, english_news[:12])
    settings = ProjectionSettings(aligner="transalign", align_model=str(tiny_nllb), align_layer=2)
    project_corpus([bio], tmp_path / "out", ["es"], settings, shard_size=6, show_progress=False)
    again = project_corpus([bio], tmp_path / "out", ["es"], settings, shard_size=6, show_progress=False)
    assert again["shards_resumed"] == 2
    hull = ProjectionSettings(aligner="transalign", align_model=str(tiny_nllb), align_layer=2, strategy="hull")
    with pytest.raises(ValueError, match=r"out holds a run with other settings\.strategy: resuming would mix"):
        project_corpus([bio], tmp_path / "out", ["es"], hull, shard_size=6, show_progress=False)
    with pytest.raises(ValueError, match="other shard_size"):
        project_corpus([bio], tmp_path / "out", ["es"], settings, shard_size=4, show_progress=False)
    with pytest.raises(ValueError, match="unknown strategy 'hul'"):
        project_corpus([bio], tmp_path / "other", ["es"], ProjectionSettings(strategy="hul"), show_progress=False)
    assert not (tmp_path / "other" / "run.json").exists()


def _ruler(path: Path, patterns) -> str:
    tagger = spacy.blank("en")
    tagger.add_pipe("entity_ruler").add_patterns([{"label": label, "pattern": text} for label, text in patterns])
    tagger.to_disk(path)
    return str(path)


@needs_apertium
def test_more_english_taggers_project_through_the_one_alignment(tmp_path):
    """--also-annotate-with: a second tagger of the same translations, its own labels, map and output;
    translated and aligned once; a changed tagger list is another run."""
    text = tmp_path / "es.txt"
    text.write_text("Angela Merkel visitó Alemania ayer .\nAngela Merkel habló con los periodistas .\n"
                    "El tiempo es bueno en Madrid .\n", encoding="utf-8")
    own = _ruler(tmp_path / "own", [("ORG", "Angela Merkel")])
    other = _ruler(tmp_path / "other", [("PERSON", "Angela Merkel"), ("GPE", "Madrid"), ("DATE", "yesterday")])
    args = [sys.executable, str(SCRIPTS / "project_corpus.py"), str(text), str(tmp_path / "own.spacy"), str(tmp_path / "s.json"),
            "--method", "reverse", "--annotate-with", own, "--also-annotate-with", other, "--also-label-map", "PERSON=PER,GPE=LOC",
            "--also-output", str(tmp_path / "other.spacy"), "--work-dir", str(tmp_path / "work")]
    run = subprocess.run(args, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    vocab = spacy.blank("es").vocab

    def ents(name):
        return [[(e.text, e.label_) for e in d.ents] for d in DocBin().from_disk(tmp_path / name).get_docs(vocab)]

    assert ents("own.spacy") == [[("Angela Merkel", "ORG")], [("Angela Merkel", "ORG")], []]
    assert ents("other.spacy") == [[("Angela Merkel", "PER")], [("Angela Merkel", "PER")], [("Madrid", "LOC")]]
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["sentences_translated"] == 3 and summary["outcomes"] == {"projected_by_string_match": 2}
    assert summary["also"] == [{"annotate_with": other, "output": str(tmp_path / "other.spacy"), "entities_out": 3,
                                "outcomes": {"docs": 3, "projected_by_string_match": 3, "skipped_label_not_mapped": 1},
                                "relabelled_by_vote": 0}]
    # a killed run's shards are another run's if the extra taggers differ
    settings = ProjectionSettings(method="reverse", annotate_with=own, more_annotators=[{"pipeline": other, "label_map": None}])
    project_corpus([text], tmp_path / "resumable", ["es"], settings, show_progress=False)
    with pytest.raises(ValueError, match="holds a run with other settings.more_annotators"):
        project_corpus([text], tmp_path / "resumable", ["es"], ProjectionSettings(method="reverse", annotate_with=own),
                       show_progress=False)
    with pytest.raises(ValueError, match="--also-annotate-with 'no_such_pipeline': no such spaCy pipeline"):
        project_corpus([text], tmp_path / "x", ["es"], ProjectionSettings(
            method="reverse", annotate_with=own, more_annotators=[{"pipeline": "no_such_pipeline", "label_map": None}]),
            show_progress=False)
    with pytest.raises(ValueError, match="belong to --method reverse"):
        project_corpus([text], tmp_path / "y", ["es"], ProjectionSettings(more_annotators=[{"pipeline": own, "label_map": None}]),
                       show_progress=False)
    no_map = [a for a in args if a not in ("--also-label-map", "PERSON=PER,GPE=LOC")]
    rc = subprocess.run(no_map, capture_output=True, text=True)
    assert rc.returncode == 1 and "--also-label-map (0) and --also-output (1) go together" in " ".join(rc.stderr.split())
