"""The smoke workflow's chainer (projects/translate_train/scripts/one_process.py): each script
does what it does alone, and the first failure stops the chain with its exit code."""
import subprocess
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from spacy_transalign.corpora import read_bio

from workflow import SCRIPTS

CHAIN = str(SCRIPTS / "one_process.py")
PREPARE = str(SCRIPTS / "prepare_bio.py")
NEWS = Path(__file__).parent / "fixtures" / "en_news.bio"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, CHAIN, *args], capture_output=True, text=True, cwd=cwd)


def test_chained_scripts_each_get_their_own_arguments(tmp_path):
    done = _run(PREPARE, str(NEWS), "a.spacy", "--limit", "3", "--lang", "en", "::",
                PREPARE, str(NEWS), "b.iob", "--offset", "3", "--limit", "2", "--drop-labels", "ORG", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["3 sentences -> a.spacy", "2 sentences -> b.iob"]
    news = read_bio(NEWS)
    docs = list(DocBin().from_disk(tmp_path / "a.spacy").get_docs(spacy.blank("en").vocab))
    assert [[t.text for t in doc] for doc in docs] == [words for words, _ in news[:3]]
    assert [[f"{t.ent_iob_}-{t.ent_type_}" if t.ent_type_ else "O" for t in doc] for doc in docs] == [tags for _, tags in news[:3]]
    assert read_bio(tmp_path / "b.iob") == [(w, ["O" if t.endswith("ORG") else t for t in tags]) for w, tags in news[3:5]]


def test_a_failing_script_stops_the_chain(tmp_path):
    failed = _run(PREPARE, str(tmp_path / "missing.bio"), "a.iob", "::", PREPARE, str(NEWS), "b.iob", cwd=tmp_path)
    assert failed.returncode == 1
    assert "missing.bio" in failed.stderr and "the commands after it did not run" in failed.stderr
    assert not (tmp_path / "a.iob").exists() and not (tmp_path / "b.iob").exists()
    usage = _run(PREPARE, str(NEWS), "a.iob", "::", cwd=tmp_path)
    assert usage.returncode != 0 and "usage:" in usage.stderr and not (tmp_path / "a.iob").exists()
