"""The workflow's parallel trainer (projects/translate_train/scripts/train_models.py): models
side by side equal models trained alone, a failure is named, a killed run leaves no training."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from workflow import PROJECT



def _data(tmp_path: Path, english_news) -> Path:
    nlp = spacy.blank("en")
    docs = [Doc(nlp.vocab, words=words, ents=tags) for words, tags in english_news]
    DocBin(docs=docs[:40]).to_disk(tmp_path / "train.spacy")
    DocBin(docs=docs[40:]).to_disk(tmp_path / "dev.spacy")
    return tmp_path


def _train(tmp_path: Path, out: str, jobs: int, *specs: str, steps: int = 20, more: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "scripts" / "train_models.py"), str(PROJECT / "configs" / "ner_cpu.cfg"),
                           str(tmp_path / out), *specs, "--jobs", str(jobs), "--max-steps", str(steps),
                           "--override", "training.eval_frequency=10", *more], capture_output=True, text=True, cwd=tmp_path)


def _weights(path: Path) -> bytes:
    return (path / "model-best" / "ner" / "model").read_bytes()


@pytest.mark.slow
def test_models_trained_side_by_side_equal_models_trained_alone(tmp_path, english_news):
    data = _data(tmp_path, english_news)
    spec = ["a=train.spacy,dev.spacy,en", "b=train.spacy,dev.spacy,en", "s=train.spacy,dev.spacy,en,system.seed=1"]
    both = _train(data, "both", 2, *spec)
    assert both.returncode == 0, both.stderr
    assert "a: done in" in both.stdout and "[b] " in both.stdout  # each model's lines carry its name
    alone = _train(data, "alone", 1, spec[0])
    assert alone.returncode == 0, alone.stderr
    for name in ("a", "b"):
        assert _weights(data / "both" / name) == _weights(data / "alone" / "a")
        assert "ENTS_F" in (data / "both" / name / "train.log").read_text()
    # a model's own setting is its alone: the same as that setting for a whole call, and it wins over the call's
    seed1 = _train(data, "seed1", 1, "s=train.spacy,dev.spacy,en", more=("--override", "system.seed=1"))
    assert seed1.returncode == 0, seed1.stderr
    assert _weights(data / "both" / "s") == _weights(data / "seed1" / "s") != _weights(data / "both" / "a")
    wins = _train(data, "wins", 1, spec[2], more=("--override", "system.seed=0"))
    assert wins.returncode == 0 and _weights(data / "wins" / "s") == _weights(data / "seed1" / "s")
    for bad_spec in ("a=train.spacy,dev.spacy,system.seed=1,en", "a=train.spacy,dev.spacy,en,=1", "a=train.spacy,dev.spacy,en,es"):
        bad = _train(data, "x", 1, bad_spec)
        assert bad.returncode != 0 and repr(bad_spec) in bad.stderr and not (data / "x").exists()
    bad = _train(data, "x", 1, spec[0], more=("--override", "seed"))
    assert bad.returncode != 0 and "--override 'seed': expected KEY=VALUE" in bad.stderr and not (data / "x").exists()
    bad = _train(data, "bad", 2, "a=train.spacy,dev.spacy,en", "c=train.spacy,dev.spacy,zz")
    assert bad.returncode == 1 and "training failed: c (logs above)" in bad.stderr and "--- end of c's log:" in bad.stderr
    assert (data / "bad" / "a" / "model-best").exists()  # the other model is kept
    missing = _train(data, "x", 1, "a=nothing.spacy,dev.spacy")
    assert missing.returncode != 0 and "nothing.spacy does not exist" in missing.stderr


@pytest.mark.slow
def test_a_killed_trainer_leaves_no_training_running(tmp_path, english_news):
    data = _data(tmp_path, english_news)
    run = subprocess.Popen([sys.executable, str(PROJECT / "scripts" / "train_models.py"), str(PROJECT / "configs" / "ner_cpu.cfg"),
                            str(data / "out"), "a=train.spacy,dev.spacy,en", "b=train.spacy,dev.spacy,en", "--max-steps", "100000"],
                           cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not all((data / "out" / n / "train.log").exists() and (data / "out" / n / "train.log").stat().st_size for n in "ab"):
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.2)
    children = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 2
    os.kill(run.pid, signal.SIGTERM)
    run.wait()
    time.sleep(1)
    assert all(not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower() for pid in children)
