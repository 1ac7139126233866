"""Benchmarks: alignment, translation, projection and pipeline speed, written to RESULTS.md.

    python benchmarks/run.py            # everything (about an hour on a 2-core CPU)
    python benchmarks/run.py --quick    # small settings, a few minutes

Each alignment configuration runs in a fresh subprocess (its own peak RSS); figures are the
median of ``--runs`` runs, and ratios are taken between figures of the same invocation.
Models are built locally with random weights (speed does not depend on the weights).
"""
from __future__ import annotations

import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import typer

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRANSALIGN_SHARED_DATA", ROOT.parent / "shared" / "data"))
CACHE = ROOT / "benchmarks" / ".cache"
sys.path.insert(0, str(ROOT / "benchmarks"))

NLLB_600M_ENCODER = dict(d_model=1024, layers=12, decoder_layers=1, heads=16, ffn_dim=4096, max_positions=1024)
SMALL_MT = dict(d_model=256, layers=3, heads=4, ffn_dim=1024, max_positions=512)
# NLLB-200-distilled-600M's sizes (615M parameters), vocabulary included; random weights
NLLB_600M = dict(d_model=1024, layers=12, heads=16, ffn_dim=4096, max_positions=1024, model_vocab_size=256206)
MT_MODELS = {"small": ("small-mt-random-std05", SMALL_MT), "600m": ("nllb600m-random-std05", NLLB_600M)}


def mt_model(size: str) -> Path:
    """The translation benchmarks' random MT model; weights at std 0.5: a random model at a trained
    model's scale emits only special tokens, which decode to empty translations (nothing to align)."""
    name, sizes = MT_MODELS[size]
    return build(name, init_std=0.5, **sizes)


def gold_pairs(n: int):
    from spacy_transalign.corpora import read_parallel

    pairs = []
    for name in ("enfr", "roen", "jaen", "zhen"):
        pairs += read_parallel(SHARED / "alignment_gold" / f"{name}.src-tgt")
    return pairs[:n]


def corpus_lines() -> List[str]:
    return [" ".join(s) for p in gold_pairs(10_000) for s in p]


def build(name: str, init_std: float = 0.02, **sizes) -> Path:
    from spacy_transalign.testing import build_nllb_like

    path = CACHE / name
    if not (path / "config.json").exists():
        build_nllb_like(path, corpus_lines(), vocab_size=8000, init_std=init_std, **sizes)
    return path


# --- alignment (one configuration per subprocess: benchmarks/align_worker.py) ----------------
def bench_alignment(n_pairs: int, runs: int, threads: int) -> Dict:
    model = build("nllb600m-encoder-random", **NLLB_600M_ENCODER)
    results: Dict[str, Dict] = {}
    links: Dict[str, list] = {}
    for impl in ("reference", "ours-fp32", "ours-int8"):
        times, rss = [], []
        for run in range(runs):
            out = CACHE / f"align-{impl}-{run}.json"
            worker = ROOT / "benchmarks" / "align_worker.py"
            subprocess.run([sys.executable, str(worker), impl, str(model), str(n_pairs), str(threads), str(out)], check=True)
            data = json.loads(out.read_text())
            times.append(data["seconds"])
            rss.append(data["peak_rss_mb"])
            links[impl] = data["links"]
        results[impl] = {"seconds": statistics.median(times), "pairs_per_s": n_pairs / statistics.median(times),
                         "peak_rss_mb": max(rss), "runs": times}
    identical = [list(map(tuple, x)) for x in links["reference"]] == [list(map(tuple, x)) for x in links["ours-fp32"]]
    ref_set = {(k, tuple(p)) for k, x in enumerate(links["ours-fp32"]) for p in x}
    int8_set = {(k, tuple(p)) for k, x in enumerate(links["ours-int8"]) for p in x}
    agreement = 2 * len(ref_set & int8_set) / (len(ref_set) + len(int8_set))
    return {"pairs": n_pairs, "threads": threads, "results": results, "fp32_identical_to_reference": identical,
            "int8_link_f1_vs_fp32": agreement}


# --- translation ---------------------------------------------------------------------------------
def bench_translation(n_sents: int, out_len: int, runs: int, size: str = "small", with_apertium: bool = True) -> Dict:
    import torch

    from spacy_transalign.corpora import read_bio
    from spacy_transalign.translators.ct2 import CT2Translator, convert_to_ct2
    from spacy_transalign.translators.hf import HFTranslator

    texts = [" ".join(w) for w, _ in read_bio(SHARED / "conll2003_en" / "train.txt")[:n_sents]]
    model = mt_model(size)
    ct2_dir = CACHE / f"{MT_MODELS[size][0]}-ct2"
    if not (ct2_dir / "model.bin").exists():
        convert_to_ct2(str(model), ct2_dir, force=True)
    common = dict(src_lang="eng_Latn", tgt_lang="spa_Latn", max_new_tokens=out_len, min_new_tokens=out_len)
    backends = {
        "transformers fp32": HFTranslator(str(model), batch_size=32, **common),
        "ctranslate2 float32": CT2Translator(str(ct2_dir), compute_type="float32", batch_size=32, intra_threads=torch.get_num_threads(), **common),
        "ctranslate2 int8": CT2Translator(str(ct2_dir), compute_type="int8", batch_size=32, intra_threads=torch.get_num_threads(), **common),
    }
    results = {}
    outputs = {}
    for name, backend in backends.items():
        backend.initialize()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            outputs[name] = backend.translate(texts)
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        results[name] = {"seconds": seconds, "sentences_per_s": n_sents / seconds, "output_tokens_per_s": n_sents * out_len / seconds}
    same = outputs["transformers fp32"] == outputs["ctranslate2 float32"]
    non_empty = sum(1 for o in outputs["transformers fp32"] if o)
    apertium = {}
    try:
        apertium = bench_apertium(runs) if with_apertium else {}
    except Exception as err:  # apertium missing: reported, not fatal
        apertium = {"error": str(err)}
    n_params = sum(p.numel() for p in backends["transformers fp32"]._model.parameters())
    return {"sentences": n_sents, "output_tokens_per_sentence": out_len, "model_params_m": n_params / 1e6,
            "model": MT_MODELS[size][1], "runs": runs, "results": results, "ct2_float32_identical_to_transformers": same, "non_empty_outputs": non_empty,
            "apertium": apertium}


def bench_long_sentences() -> dict:
    """One "sentence" of 16k to 100k words (a document given whole): both strategies, identity links."""
    import random

    from spacy_transalign.alignment import WordAlignment
    from spacy_transalign.projection.strategies import HullProjection, SupportProjection

    rng = random.Random(0)
    vocab = ["the", "house", "Paris", "Merkel", "visited", "and", "of", "Berlin", "said", ","]
    out = {}
    for n in (16000, 64000, 100000):
        words = [rng.choice(vocab) for _ in range(n)]
        tags = ["B-LOC" if w in ("Paris", "Berlin") else "B-PER" if w == "Merkel" else "O" for w in words]
        links = WordAlignment([(i, i) for i in range(n)])
        for name, strategy in (("support", SupportProjection()), ("hull", HullProjection())):
            started = time.perf_counter()
            strategy(words, tags, list(words), links)
            out[f"{name} {n}"] = {"words": n, "seconds": time.perf_counter() - started}
    return out


def bench_apertium(runs: int) -> dict:
    """1,000 CoNLL sentences, as plain text and with entity markers (html): our isolated batches
    against Apertium's own newline-separated batch (which lets sentences change each other)."""
    import subprocess

    from spacy_transalign.corpora import read_bio
    from spacy_transalign.evaluation import bio_spans
    from spacy_transalign.projection import markers
    from spacy_transalign.translators.apertium import ApertiumTranslator

    sentences = read_bio(SHARED / "conll2003_en" / "train.txt")[:1000]
    lines = [" ".join(w) for w, _ in sentences]
    marked = []
    for words, tags in sentences:
        starts = [sum(len(w) + 1 for w in words[:k]) for k in range(len(words) + 1)]
        marked.append(markers.mark(" ".join(words), [(starts[s], starts[e] - 1, lab) for s, e, lab in bio_spans(tags)]))
    jobs = {
        "ours, txt": lambda: ApertiumTranslator("en-es").translate(lines),
        "ours, html with entity markers": lambda: ApertiumTranslator("en-es", format="html").translate_markup(marked),
        "apertium -u, one newline-separated batch (sentences leak)": lambda: subprocess.run(
            ["apertium", "-u", "eng-spa"], input="\n".join(lines) + "\n", capture_output=True, text=True),
    }
    out = {}
    for name, job in jobs.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        out[name] = {"seconds": seconds, "sentences_per_s": len(lines) / seconds}
    return {"sentences": len(lines), "source_tokens": sum(len(line.split()) for line in lines), "results": out}


# --- projection ----------------------------------------------------------------------------------
def bench_projection(runs: int) -> Dict:
    """File to file, interleaved runs in one process. The reference runs as TransAlign's script
    does, with Python's garbage collector on; ours pauses it while it reads and projects (part of
    its design), so a row with the reference under a paused collector shows what that part buys."""
    from reference_projection import reference_project_file

    from spacy_transalign.projection.bio import project_bio_files

    folder = SHARED / "transalign_bam"
    args = (folder / "test-translate-bam-en-preds.txt", folder / "test-bam.txt", folder / "bam-en-alignments.txt")
    CACHE.mkdir(parents=True, exist_ok=True)
    out = {name: CACHE / f"projected-{k}.txt" for k, name in enumerate(("reference loop", "reference loop, GC paused", "ours hull", "ours support"))}
    timings: Dict[str, List[float]] = {name: [] for name in out}
    for _ in range(runs):
        for name in timings:
            started = time.perf_counter()
            if name.startswith("reference"):
                if "GC" in name:
                    gc.disable()
                reference_project_file(*args, out[name])
                gc.enable()
            else:
                project_bio_files(*args, out[name], strategy=name.split()[1], reverse=True)
            timings[name].append(time.perf_counter() - started)
    timings.update(bench_projector_component(folder, runs))
    n = 1274
    results: Dict = {name: {"seconds": statistics.median(t), "best_seconds": min(t), "sentences_per_s": n / statistics.median(t)} for name, t in timings.items()}
    results["runs"] = runs
    results["hull_output_identical_to_reference"] = out["ours hull"].read_text() == out["reference loop"].read_text()
    return results


def bench_projector_component(folder: Path, runs: int) -> Dict[str, List[float]]:
    """transalign_projector (default strategy, translate-test direction) over the same 1,274
    sentences as Docs, against the cost of only building and setting the target spans."""
    import spacy
    from spacy.tokens import Doc, Span

    from spacy_transalign.alignment import read_pharaoh_file
    from spacy_transalign.corpora import read_bio
    from spacy_transalign.evaluation import bio_spans

    english = read_bio(folder / "test-translate-bam-en-preds.txt")
    bambara = [words for words, _ in read_bio(folder / "test-bam.txt")]
    alignments = read_pharaoh_file(folder / "bam-en-alignments.txt")
    nlp = spacy.blank("xx")
    projector = nlp.add_pipe("transalign_projector", config={"direction": "from_translation", "batch_size": 2000})
    en_vocab = spacy.blank("en").vocab

    def docs() -> List[Doc]:
        made = []
        for (words, tags), target_words, alignment in zip(english, bambara, alignments):
            doc, translation = Doc(nlp.vocab, words=target_words), Doc(en_vocab, words=words)
            translation.ents = [Span(translation, s, e, label=lab) for s, e, lab in bio_spans(tags)]
            doc._.translation, doc._.alignment = translation, alignment
            made.append(doc)
        return made

    timings: Dict[str, List[float]] = {"ours support, component on Docs": [], "building and setting the target spans only": []}
    for _ in range(runs):
        batch = docs()
        started = time.perf_counter()
        list(projector.pipe(batch))
        timings["ours support, component on Docs"].append(time.perf_counter() - started)
        spans = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in batch]
        batch = docs()
        started = time.perf_counter()
        for doc, found in zip(batch, spans):
            doc.set_ents([Span(doc, s, e, label=lab) for s, e, lab in found], default="outside")
        timings["building and setting the target spans only"].append(time.perf_counter() - started)
    return timings


# --- pipeline -----------------------------------------------------------------------------------
def bench_pipeline(n_docs: int, size: str = "small") -> Dict:
    """Docs/s of translator + aligner + projector, with and without encoder-state reuse."""
    import spacy
    from spacy.tokens import Doc, Span

    from spacy_transalign.corpora import read_bio
    from spacy_transalign.encoder_states import SHARED_STATES
    from spacy_transalign.evaluation import bio_spans

    model = mt_model(size)
    layers = MT_MODELS[size][1]["layers"]
    sentences = read_bio(SHARED / "conll2003_en" / "train.txt")[:n_docs]
    results = {}
    for share in (False, True):
        nlp = spacy.blank("en")
        nlp.add_pipe("transalign_translator", config={"translator": {
            "@misc": "spacy-transalign.HFTranslator.v1", "model": str(model), "src_lang": "eng_Latn", "tgt_lang": "spa_Latn",
            # random weights would stop at once: force real output length
            "max_new_tokens": 24, "min_new_tokens": 24, "batch_size": 32, "share_encoder_states": share}})
        nlp.add_pipe("transalign_aligner", config={"aligner": {
            "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(model), "layer": layers, "batch_size": 32}})
        # random weights translate into lowercase noise, which the default strategy's case rules
        # rightly reject: hull keeps the projection step busy
        nlp.add_pipe("transalign_projector", config={"strategy": {"@misc": "spacy-transalign.HullProjection.v1"}})
        nlp.initialize()
        docs = []
        for words, tags in sentences:
            doc = Doc(nlp.vocab, words=words)
            doc.ents = [Span(doc, s, e, label) for s, e, label in bio_spans(tags)]
            docs.append(doc)
        SHARED_STATES.clear()
        hits = SHARED_STATES.hits
        started = time.perf_counter()
        out = list(nlp.pipe(docs, batch_size=64))
        seconds = time.perf_counter() - started
        results["reuse" if share else "no reuse"] = {
            "docs": len(out), "seconds": seconds, "docs_per_s": len(out) / seconds,
            "source_sentences_not_reencoded": SHARED_STATES.hits - hits,
            "projected_entities": sum(len(d._.translation.ents) for d in out)}
    return results


def bench_viewer() -> Dict:
    """The HTML report of the workflow's alignment projection (14,042 CoNLL-2003 sentences: their
    Docs with translation, alignment and outcomes) and the time until Chromium shows its first page."""
    import shutil

    from spacy.tokens import DocBin

    from spacy_transalign.extensions import vocab_for
    from spacy_transalign.viewer import write_report

    source = ROOT / "projects" / "translate_train" / "corpus" / "view_alignment.spacy"
    if not source.exists():
        return {"error": f"{source} not found: run the workflow's project-alignment step first"}
    out = ROOT / "benchmarks" / ".cache" / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()  # as the view command does it: Docs streamed from the DocBin into the report
    summary = write_report(DocBin().from_disk(source).get_docs(vocab_for("en")), out)
    written = time.perf_counter() - started
    result = {"docs": summary["docs"], "read_and_write_s": written, "html_mb": out.stat().st_size / 1e6}
    started = time.perf_counter()  # the whole command, Python's start and imports included
    subprocess.run([sys.executable, "-m", "spacy_transalign", "view", str(source), str(out), "--lang", "en"], check=True,
                   capture_output=True)
    result["view_command_s"] = time.perf_counter() - started
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(out.as_uri())
            page.wait_for_selector(".ta-list .ta-doc svg line", state="attached")
            result["chromium_first_page_s"] = time.perf_counter() - started
            started = time.perf_counter()
            page.select_option("select[name=outcome]", "dropped_lowercase_target")
            result["chromium_filter_s"] = time.perf_counter() - started
            browser.close()
    return result


def _conll_corpus(n: int, folder: Path) -> Path:
    """CoNLL-2003 English training sentences, repeated to ``n``, as a BIO file."""
    from spacy_transalign.corpora import read_bio, write_bio

    sentences = read_bio(SHARED / "conll2003_en" / "train.txt")
    path = folder / f"conll_{n}.bio"
    write_bio(path, [sentences[k % len(sentences)] for k in range(n)])
    return path


def _project_corpus_run(inputs: List[Path], out: Path, *extra: str) -> Dict[str, float]:
    """``project-corpus`` in a fresh process: seconds and the peak RSS of the process and of its
    children (Apertium, eflomal's sampler)."""
    code = ("import resource, sys, time\nfrom spacy_transalign.cli import app\nstarted = time.perf_counter()\n"
            "app(sys.argv[1:], standalone_mode=False)\n"
            "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, "project-corpus", *map(str, inputs), str(out), *extra],
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    seconds, rss_kb, children_kb = done.stdout.strip().splitlines()[-1].split()
    return {"seconds": float(seconds), "peak_rss_mb": int(rss_kb) / 1024, "children_peak_rss_mb": int(children_kb) / 1024}


def bench_scaleout_rss(sizes: List[int]) -> Dict:
    """Peak RSS as the corpus grows: local engine, Apertium + eflomal + hull, shards of 2,000,
    a translation cache (CoNLL repeated: after the first pass the translations come from it)."""
    import tempfile

    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            result[n] = _project_corpus_run([_conll_corpus(n, folder)], folder / f"out_{n}", "--strategy", "hull",
                                            "--cache-dir", str(folder / f"cache_{n}"))
            result[n]["sentences_per_s"] = n / result[n]["seconds"]
            typer.echo(f"{n} sentences: {result[n]}")
            shutil.rmtree(folder / f"out_{n}")
    return result


def bench_scaleout_scaling(actors: List[int], n: int) -> Dict:
    """Throughput of the Ray engine with 1 and 2 actors (and the local engine) on the same corpus,
    nothing cached (each run translates everything). Ray's start and the actors' imports are
    inside the wall time; ``steady`` also leaves out the time to the first finished shard of
    each actor, read from the shards' own timings."""
    import tempfile

    result: Dict[str, Any] = {"sentences": n}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _conll_corpus(n, folder)
        for k in actors:
            out = folder / f"ray_{k}"
            timing = _project_corpus_run([path], out, "--strategy", "hull", "--engine", "ray", "--num-actors", str(k))
            shard_seconds = [json.loads(p.read_text())["seconds"] for p in (out / "es" / ".work").glob("shard-*.json")]
            result[f"ray {k}"] = {**timing, "sentences_per_s": n / timing["seconds"],
                                  "shard_seconds_sum": sum(shard_seconds), "shards": len(shard_seconds)}
            typer.echo(f"{k} actor(s): {result[f'ray {k}']}")
        timing = _project_corpus_run([path], folder / "local", "--strategy", "hull")
        result["local"] = {**timing, "sentences_per_s": n / timing["seconds"]}
        typer.echo(f"local: {result['local']}")
    return result


def bench_shard_size(english_ner: Path, sizes: List[int]) -> Dict:
    """eflomal aligns each shard on its own: projection quality by shard size. The reverse method
    on esp.train (8,323 sentences, read without labels), Apertium es-en, an English tagger, eflomal
    and the default strategy; its Spanish silver entities scored against esp.train's gold
    (PER/ORG/LOC). Only the alignment's scope changes between rows."""
    import tempfile

    import spacy
    from spacy.tokens import DocBin

    from spacy_transalign.corpora import read_bio
    from spacy_transalign.evaluation import span_prf

    gold_file = SHARED / "conll2002_es" / "esp.train"
    gold = {tuple(words): ["O" if t.endswith("MISC") else t for t in tags] for words, tags in read_bio(gold_file)}
    vocab = spacy.blank("es").vocab
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in sizes:
            out = folder / f"shards_{size}"
            timing = _project_corpus_run([gold_file], out, "--method", "reverse", "--src-lang", "en", "--tgt-langs", "es",
                                         "--annotate-with", str(english_ner), "--shard-size", str(size),
                                         "--cache-dir", str(folder / "cache"))
            docs = [d for p in sorted((out / "es").glob("shard-*.spacy")) for d in DocBin().from_disk(p).get_docs(vocab)]
            pred = [[f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in d] for d in docs]
            prf = span_prf(pred, [gold[tuple(t.text for t in d)] for d in docs])  # Docs with no translation are left out
            result[size] = {"precision": prf["precision"], "recall": prf["recall"], "f1": prf["f1"], "seconds": timing["seconds"],
                            "shards": len(list((out / "es").glob("shard-*.spacy")))}
            typer.echo(f"shards of {size}: {result[size]}")
    return result


# --- report ---------------------------------------------------------------------------------------
def _backend_rows(title: str, t: Dict) -> List[str]:
    base = t["results"]["transformers fp32"]
    rows = [title, "", "| backend | sentences/s | output tokens/s | vs transformers |", "|---|---|---|---|"]
    rows += [f"| {name} | {r['sentences_per_s']:.2f} | {r['output_tokens_per_s']:.0f} | {base['seconds'] / r['seconds']:.2f}x |"
             for name, r in t["results"].items()]
    return rows + ["", f"CTranslate2 float32 output identical to transformers: **{t['ct2_float32_identical_to_transformers']}** "
                   f"({t.get('non_empty_outputs', '?')} of {t['sentences']} outputs non-empty)", ""]


def write_results(report: Dict, command: str, folder: Path = ROOT / "benchmarks") -> None:
    import spacy
    import torch
    import transformers

    a, t, p = report.get("alignment"), report.get("translation"), report.get("projection")
    commands = sorted(set(report.get("commands", {}).values()) or {command})
    lines = ["# Benchmark results", "",
             "Commands: " + ", ".join(f"`{c}`" for c in commands) + "  ", f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}, spaCy {spacy.__version__}  ",
             f"Date: {time.strftime('%Y-%m-%d %H:%M')}", ""]
    if a:
        ref = a["results"]["reference"]
        lines += ["## Alignment (NLLB-600M-size encoder, random weights, layer 12, softmax 1e-3)", "",
                  f"{a['pairs']} gold sentence pairs (en-fr, ro-en, ja-en), {a['threads']} threads; median of {len(ref['runs'])} runs.", "",
                  "| implementation | pairs/s | seconds | speed-up | peak RSS (MB) |", "|---|---|---|---|---|"]
        for name, r in a["results"].items():
            lines.append(f"| {name} | {r['pairs_per_s']:.2f} | {r['seconds']:.1f} | {ref['seconds'] / r['seconds']:.2f}x | {r['peak_rss_mb']:.0f} |")
        lines += ["", f"fp32 links identical to the reference: **{a['fp32_identical_to_reference']}**; "
                  f"int8 link F1 against fp32: **{a['int8_link_f1_vs_fp32']:.4f}**", ""]
    if t:
        lines += _backend_rows(f"## Translation (random NLLB-architecture model, {t['model_params_m']:.1f}M parameters, greedy, "
                               f"{t['output_tokens_per_sentence']} output tokens per sentence, {t['sentences']} CoNLL sentences)", t)
        ap = t["apertium"]
        if "error" in ap:
            lines += [f"Apertium: not measured ({ap['error']})", ""]
        elif "results" in ap:
            lines += [f"Apertium en-es, {ap['sentences']} CoNLL-2003 sentences ({ap['source_tokens']} tokens); each sentence of "
                      "ours equals its translation alone (tests/test_apertium.py):", "",
                      "| run | sentences/s | seconds |", "|---|---|---|"]
            lines += [f"| {name} | {r['sentences_per_s']:.0f} | {r['seconds']:.2f} |" for name, r in ap["results"].items()]
            lines.append("")
    if p:
        ref = p["reference loop"]
        lines += ["## Projection (Bambara translate-test sample, 1,274 sentences, file to file, in-process)", "",
                  f"{p.get('runs', '?')} interleaved runs; median and best run. The reference runs as TransAlign's script does "
                  "(garbage collector on); ours pauses the collector while it works.", "",
                  "| implementation | sentences/s | median s | vs reference | best s | vs reference (best) |", "|---|---|---|---|---|---|"]
        for name, r in p.items():
            if isinstance(r, dict):
                best = r.get("best_seconds", r["seconds"])
                lines.append(f"| {name} | {r['sentences_per_s']:.0f} | {r['seconds']:.4f} | {ref['seconds'] / r['seconds']:.2f}x "
                             f"| {best:.4f} | {ref.get('best_seconds', ref['seconds']) / best:.2f}x |")
        lines += ["", f"`hull` output identical to the reference loop's: **{p.get('hull_output_identical_to_reference', '?')}**. "
                  "The component rows start from Docs in memory (translation with entities, alignment) and read no files.", ""]
    if report.get("long"):
        lines += ["## One very long sentence (identity links, an entity every third word)", "",
                  "| strategy, words | seconds |", "|---|---|"]
        lines += [f"| {name} | {r['seconds']:.2f} |" for name, r in report["long"].items()]
        lines += ["", "Before the search window (string matching scanned the whole sentence for every entity) "
                  "the default took 14.8 s for 16k words and 255 s for 64k.", ""]
    for key, title in (("pipeline", "Pipeline (translator + aligner + projector through nlp.pipe, small random MT model, aligner on its last layer)"),
                       ("pipeline_600m", "Pipeline at NLLB-600M size (HF translator + encoder aligner, layer 12, same random model; hull)")):
        if report.get(key):
            lines += [f"## {title}", "", "| encoder states | docs | docs/s | source sentences not re-encoded | entities projected |",
                      "|---|---|---|---|---|"]
            lines += [f"| {name} | {r['docs']} | {r['docs_per_s']:.2f} | {r['source_sentences_not_reencoded']} | {r['projected_entities']} |"
                      for name, r in report[key].items()]
            lines.append("")
    t6 = report.get("translation_600m")
    if t6:
        lines += _backend_rows(f"## Translation at NLLB-600M size (random weights, {t6['model_params_m']:.0f}M parameters incl. NLLB's "
                               f"256,206-row vocabulary, greedy, {t6['output_tokens_per_sentence']} output tokens per sentence, "
                               f"{t6['sentences']} CoNLL sentences, batches of 32, median of {t6.get('runs', '?')} runs)", t6)
    if report.get("scaleout_rss"):
        lines += ["## Corpus projection: memory as the corpus grows (`project-corpus`, local engine, CoNLL-2003 repeated, "
                  "Apertium + eflomal + hull, shards of 2,000, translation cache)", "",
                  "| sentences | s | sentences/s | peak RSS MB (process) | peak RSS MB (largest child) |", "|---|---|---|---|---|"]
        for n, r in report["scaleout_rss"].items():
            lines.append(f"| {int(n):,} | {r['seconds']:.0f} | {r['sentences_per_s']:.0f} | {r['peak_rss_mb']:.0f} "
                         f"| {r.get('children_peak_rss_mb', float('nan')):.0f} |")
        lines.append("")
    if report.get("scaleout_scaling"):
        sc = report["scaleout_scaling"]
        lines += [f"## Corpus projection: engines ({sc['sentences']:,} CoNLL-2003 sentences, Apertium + eflomal + hull, "
                  "shards of 2,000, nothing cached; Ray's start and the actors' imports inside the time)", "",
                  "| engine | s | sentences/s | vs 1 actor | peak RSS MB (driver) |", "|---|---|---|---|---|"]
        one = sc.get("ray 1", {}).get("seconds")
        for name, r in sc.items():
            if isinstance(r, dict):
                ratio = f"{one / r['seconds']:.2f}x" if one else ""
                lines.append(f"| {name} | {r['seconds']:.0f} | {r['sentences_per_s']:.0f} | {ratio} | {r['peak_rss_mb']:.0f} |")
        lines.append("")
    if report.get("shard_size"):
        lines += ["## eflomal's scope: projection quality by shard size (reverse method on esp.train, 8,323 sentences; "
                  "silver entities against its gold, PER/ORG/LOC)", "",
                  "| shard size | shards | P | R | F1 | s |", "|---|---|---|---|---|---|"]
        for size, r in report["shard_size"].items():
            lines.append(f"| {int(size):,} | {r['shards']} | {100 * r['precision']:.1f} | {100 * r['recall']:.1f} | "
                         f"{100 * r['f1']:.1f} | {r['seconds']:.0f} |")
        lines.append("")
    if report.get("viewer"):
        v = report["viewer"]
        if "error" in v:
            lines += ["## Viewer report", "", f"Not measured: {v['error']}", ""]
        else:
            lines += ["## Viewer report (`spacy_transalign view`, the workflow's alignment projection)", "",
                      "| Docs | read DocBin + write report s | whole `view` command s | HTML MB | Chromium: first page shown s | filter s |",
                      "|---|---|---|---|---|---|",
                      f"| {v['docs']:,} | {v['read_and_write_s']:.1f} | {v.get('view_command_s', float('nan')):.1f} | {v['html_mb']:.1f} "
                      f"| {v.get('chromium_first_page_s', float('nan')):.2f} | {v.get('chromium_filter_s', float('nan')):.2f} |", ""]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "RESULTS.md").write_text("\n".join(lines))
    (folder / "results.json").write_text(json.dumps(report, indent=2, default=str))


def busy_warning() -> float:
    """Timings and throughput ratios are only meaningful on an idle machine; say so when it is not."""
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load > 0.5 * cores:
        typer.secho(f"warning: 1-minute load average is {load:.1f} on {cores} cores: another job is running, "
                    "so these timings will be slow and ratios between engines unreliable", fg="yellow", err=True)
    return load


def main(
    quick: bool = typer.Option(False, help="Small settings for a fast check"),
    runs: int = typer.Option(3, help="Runs per figure (median)"),
    pairs: int = typer.Option(1000, help="Sentence pairs for the alignment benchmark"),
    threads: int = typer.Option(2, help="torch threads for both aligners"),
    sections: str = typer.Option("alignment,translation,projection,pipeline", help="Also: long, viewer, scaleout "
                                 "(= scaleout-rss, scaleout-scaling), shard-size, translation-600m, pipeline-600m"),
    english_ner: Path = typer.Option(ROOT / "projects" / "translate_train" / "training" / "source" / "model-best",
                                     help="shard-size: the English tagger (the workflow's train-forward step makes it)"),
) -> None:
    import torch

    torch.set_num_threads(threads)
    if quick:
        pairs, runs = 100, 1
    chosen = set(sections.split(","))
    load_before = busy_warning()
    report = {}
    if "projection" in chosen:
        report["projection"] = bench_projection(max(runs, 5))
        typer.echo(json.dumps(report["projection"], indent=1))
    if "translation" in chosen:
        report["translation"] = bench_translation(40 if quick else 200, 24, runs)
        typer.echo(json.dumps(report["translation"]["results"], indent=1))
    if "pipeline" in chosen:
        report["pipeline"] = bench_pipeline(50 if quick else 300)
        typer.echo(json.dumps(report["pipeline"], indent=1))
    if "long" in chosen:
        report["long"] = bench_long_sentences()
        typer.echo(json.dumps(report["long"], indent=1))
    if chosen & {"scaleout", "scaleout-rss"}:
        report["scaleout_rss"] = bench_scaleout_rss([2000, 4000] if quick else [20000, 200000])
    if chosen & {"scaleout", "scaleout-scaling"}:
        report["scaleout_scaling"] = bench_scaleout_scaling([1, 2], 4000 if quick else 20000)
    if "shard-size" in chosen:
        report["shard_size"] = bench_shard_size(english_ner, [1000, 2000] if quick else [8323, 4000, 2000, 1000, 500])
    if "translation-600m" in chosen:
        report["translation_600m"] = bench_translation(8 if quick else 64, 24, runs, size="600m", with_apertium=False)
        typer.echo(json.dumps(report["translation_600m"]["results"], indent=1))
    if "pipeline-600m" in chosen:
        report["pipeline_600m"] = bench_pipeline(8 if quick else 64, size="600m")
        typer.echo(json.dumps(report["pipeline_600m"], indent=1))
    if "viewer" in chosen:
        report["viewer"] = bench_viewer()
        typer.echo(json.dumps(report["viewer"], indent=1))
    if "alignment" in chosen:
        report["alignment"] = bench_alignment(pairs, runs, threads)
        typer.echo(json.dumps({k: v for k, v in report["alignment"].items() if k != "results"}, indent=1))
    load = {"load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]}
    for section in report.values():  # timings taken beside other work say little: keep the load with them
        if isinstance(section, dict):
            section["machine"] = load
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    previous = ROOT / "benchmarks" / "results.json"
    if previous.exists() and not quick:  # sections not rerun keep their last figures
        merged = json.loads(previous.read_text())
        for section in report:
            merged.setdefault("commands", {})[section] = command
        merged.update(report)
        report = merged
    else:
        report["commands"] = {section: command for section in report}
    # a quick check never overwrites the committed figures
    write_results(report, command, ROOT / "benchmarks" / (".cache/quick" if quick else ""))
    if quick:
        typer.echo("quick run: written to benchmarks/.cache/quick/RESULTS.md (the committed RESULTS.md is untouched)")


if __name__ == "__main__":
    typer.run(main)
