"""Project a corpus into one or more target languages, shard by shard, locally or on Ray.

Three steps, each resumable:

1. **map** (per shard and language): read the shard, translate, align, project (label vote
   off), write the target Docs and a JSON of the shard's outcomes and label counts to
   ``OUTPUT/<lang>/.work/`` (the JSON last: it marks the shard done). Locally this is a loop;
   with ``engine="ray"`` it is a Ray Data ``map_batches`` over an actor pool, one shard a batch,
   each actor building its pipelines once.
2. **reduce**: the label counts of all shards of a language, in corpus order.
3. **relabel**: every shard's Docs take the corpus-wide majority labels and are written to
   ``OUTPUT/<lang>/shard-NNNNN.spacy``; ``OUTPUT/summary.json`` sums it up.

A rerun skips every shard whose JSON exists and rewrites the same bytes. A shard that fails is
named in the summary with its error; the others' work is kept, and that language's final
shards are written only when all its shards are done (the vote needs them all).

eflomal learns from the text it aligns, so with it a shard is also the scope of alignment:
shards below ``MIN_EFLOMAL_SHARD`` sentences align worse (see the README's measurement).
"""
from __future__ import annotations

import json
import logging
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from spacy.tokens import Doc, DocBin, Span

from ..extensions import vocab_for
from ..files import write_docbin, write_json
from ..languages import spacy_to_flores
from ..projection.voting import count_labels, merge_label_counts, vote_winners
from .pipeline import ProjectionSettings, build_pipeline, check_unlabelled, spacy_lang
from .shards import Shard, plan_shards, read_shard

logger = logging.getLogger("spacy_transalign")

MIN_EFLOMAL_SHARD = 2000


def _work(output: Path, lang: str) -> Path:
    return output / lang / ".work"


class ShardProjector:
    """Runs the map step; one per process (a Ray actor holds one), pipelines built once per language."""

    def __init__(self, settings: Dict[str, Any], output: str, tgt_codes: Dict[str, str]) -> None:
        self.settings = ProjectionSettings(**settings)
        self.output = Path(output)
        self.tgt_codes = tgt_codes
        self.pipelines: Dict[str, Any] = {}

    def pipeline(self, lang: str):
        if lang not in self.pipelines:
            self.pipelines[lang] = build_pipeline(self.settings, lang, self.tgt_codes[lang], vote=False, batch_size=10**9)
        return self.pipelines[lang]

    def run(self, shard: Shard, lang: str) -> Dict[str, Any]:
        """Process one shard into one language; returns its summary (``error`` set on failure)."""
        started = time.perf_counter()
        try:
            return self._run(shard, lang, started)
        except Exception as err:  # noqa: BLE001  (reported per shard; the other shards go on)
            logger.error("%s (%s) into %s failed: %s", shard.name, shard.path, lang, err)
            return {"shard": shard.name, "lang": lang, "error": str(err) or type(err).__name__,
                    "traceback": traceback.format_exc(limit=5)}

    def _run(self, shard: Shard, lang: str, started: float) -> Dict[str, Any]:
        nlp = self.pipeline(lang)
        reverse = self.settings.method == "reverse"
        docs = read_shard(shard, nlp, labels=not reverse)
        if reverse:
            check_unlabelled(docs, shard.path)
        translator = nlp.get_pipe("transalign_translator")
        translated_before = translator.summary["translated"]
        out = DocBin(store_user_data=False)
        counts: Dict[str, Dict[str, int]] = {}
        empty = 0
        for doc in nlp.pipe(docs):
            translation = doc._.translation
            if translation is None or len(translation) == 0:
                empty += 1
                continue
            target = doc if reverse else translation
            if doc._.projection is not None:
                count_labels(((ent.text, ent.label_) for ent in target.ents), counts)
            out.add(target)
        work = _work(self.output, lang)
        write_docbin(work / f"{shard.name}.spacy", out)
        projector = nlp.get_pipe("transalign_projector")
        summary = {
            "shard": shard.name, "lang": lang, "input": shard.path, "first": shard.first, "docs_in": len(docs),
            "docs_out": len(out), "docs_with_empty_translation": empty,
            "translated": translator.summary["translated"] - translated_before,
            "outcomes": dict(projector.summary), "label_counts": counts,
            "seconds": round(time.perf_counter() - started, 2),
        }
        projector.summary.clear()
        write_json(work / f"{shard.name}.json", summary)  # last: marks the shard done
        return summary


class _RayShardProjector(ShardProjector):
    """``map_batches`` callable: a batch is one or more (shard, language) tasks."""

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, List[str]]:
        results = [self.run(Shard(**json.loads(task)), lang) for task, lang in zip(batch["task"], batch["lang"])]
        return {"result": [json.dumps(r) for r in results]}


def _map_local(tasks, settings, output, tgt_codes, progress) -> Iterable[Dict]:
    worker = ShardProjector(settings.to_dict(), str(output), tgt_codes)
    for shard, lang in tasks:
        yield worker.run(shard, lang)
        progress()


def _map_ray(tasks, settings, output, tgt_codes, progress, num_actors: int, num_gpus: float) -> Iterable[Dict]:
    try:
        import ray
    except ImportError as err:
        raise RuntimeError("--engine ray needs Ray: pip install 'spacy-transalign[ray]'") from err
    if not tasks:
        return
    if not ray.is_initialized():
        ray.init(ignore_reinit_error=True, log_to_driver=False)  # RAY_ADDRESS (or ray start --head) picks a cluster
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # our own bar counts shards
    ray.data.DataContext.get_current().enable_progress_bars = False
    items = [{"task": json.dumps(shard.to_dict()), "lang": lang} for shard, lang in tasks]
    dataset = ray.data.from_items(items, override_num_blocks=len(items))
    results = dataset.map_batches(
        _RayShardProjector, batch_size=1, compute=ray.data.ActorPoolStrategy(size=num_actors), num_gpus=num_gpus or None,
        fn_constructor_kwargs={"settings": settings.to_dict(), "output": str(output.resolve()), "tgt_codes": tgt_codes})
    for row in results.iter_rows():
        yield json.loads(row["result"])
        progress()


def _relabel(work_file: Path, final_file: Path, winners: Dict[str, str], lang: str) -> int:
    docs = list(DocBin().from_disk(work_file).get_docs(vocab_for(spacy_lang(lang))))
    changed = 0
    out = DocBin(store_user_data=False)
    for doc in docs:
        new = [Span(doc, e.start, e.end, label=winners.get(e.text, e.label_)) for e in doc.ents]
        moved = sum(n.label_ != e.label_ for n, e in zip(new, doc.ents))
        if moved:
            doc.set_ents(new, default="unmodified")  # same spans, new labels; missing words stay missing
            changed += moved
        out.add(doc)
    write_docbin(final_file, out)
    return changed


def project_corpus(
    inputs: Sequence[Path],
    output: Path,
    tgt_langs: Sequence[str],
    settings: ProjectionSettings,
    *,
    tgt_codes: Optional[Dict[str, str]] = None,
    engine: str = "local",
    num_actors: int = 1,
    num_gpus: float = 0,
    shard_size: int = MIN_EFLOMAL_SHARD,
    vote: bool = True,
    show_progress: bool = True,
) -> Dict[str, Any]:
    """Project ``inputs`` (DocBins, BIO or plain-text files) into every language of ``tgt_langs``.

    Writes ``output/<lang>/shard-NNNNN.spacy`` and ``output/summary.json``; returns the summary."""
    from tqdm import tqdm

    if engine not in ("local", "ray"):
        raise ValueError(f"engine must be 'local' or 'ray', not {engine!r}")
    if not tgt_langs:
        raise ValueError("no target language given")
    output = Path(output)
    needs_codes = settings.translator == "nllb" or settings.aligner == "transalign"  # NLLB's FLORES-200 language tags
    codes = {lang: (tgt_codes or {}).get(lang) or (spacy_to_flores(lang) if needs_codes else lang) for lang in tgt_langs}
    shards = plan_shards([Path(p) for p in inputs], shard_size)
    if settings.aligner == "eflomal" and len(shards) > 1 and shard_size < MIN_EFLOMAL_SHARD:
        logger.warning("eflomal aligns each shard on its own: shards of %d sentences align worse than %d or more",
                       shard_size, MIN_EFLOMAL_SHARD)
    done = {(lang, s.name) for lang in tgt_langs for s in shards if (_work(output, lang) / f"{s.name}.json").exists()}
    tasks = [(s, lang) for lang in tgt_langs for s in shards if (lang, s.name) not in done]
    bar = tqdm(total=len(tasks), desc="shards", unit="shard", disable=not show_progress)
    mapper = _map_local(tasks, settings, output, codes, bar.update) if engine == "local" else \
        _map_ray(tasks, settings, output, codes, bar.update, num_actors, num_gpus)
    failed = [r for r in mapper if "error" in r]
    bar.close()
    summary: Dict[str, Any] = {"settings": settings.to_dict(), "engine": engine, "shard_size": shard_size, "vote": vote,
                               "shards": len(shards), "shards_resumed": len(done), "languages": {}}
    for lang in tgt_langs:
        lang_failed = [{k: r[k] for k in ("shard", "error")} for r in failed if r["lang"] == lang]
        parts = [json.loads((_work(output, lang) / f"{s.name}.json").read_text(encoding="utf-8"))
                 for s in shards if (_work(output, lang) / f"{s.name}.json").exists()]
        entry: Dict[str, Any] = {"failed_shards": lang_failed, "shards_done": len(parts)}
        outcomes: Counter = Counter()
        for part in parts:
            outcomes.update(part["outcomes"])
        entry.update(docs_in=sum(p["docs_in"] for p in parts), docs_out=sum(p["docs_out"] for p in parts),
                     docs_with_empty_translation=sum(p["docs_with_empty_translation"] for p in parts),
                     translated=sum(p["translated"] for p in parts), outcomes=dict(sorted(outcomes.items())))
        if len(parts) == len(shards):
            # as in one pipeline run: the vote needs more than one projected Doc
            winners = vote_winners(merge_label_counts(p["label_counts"] for p in parts)) if vote and outcomes.get("docs", 0) > 1 else {}
            entry["relabelled_by_vote"] = sum(
                _relabel(_work(output, lang) / f"{s.name}.spacy", output / lang / f"{s.name}.spacy", winners, lang) for s in shards)
            entry["outputs"] = [str(output / lang / f"{s.name}.spacy") for s in shards]
        summary["languages"][lang] = entry
    write_json(output / "summary.json", summary)
    return summary
