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

With ``settings.more_annotators`` (reverse only), each extra source-language tagger's projection
through the same alignment is written to ``OUTPUT/also-K/<lang>/`` with its own label vote
(:mod:`.reannotate`).

Optional extra outputs (``extras``): ``filtered`` keeps the Docs in which no entity was dropped
(``OUTPUT/filtered/<lang>/``), ``prose`` the Docs whose source sentence is running text
(:func:`..projection.prose.is_prose`, ``OUTPUT/prose/<lang>/``), ``view`` the pipeline's Docs
with translation, alignment and outcomes in user data for the viewer (``OUTPUT/view/<lang>/``);
all take the vote's labels too.
Training on ``OUTPUT/<lang>`` (spaCy reads every ``.spacy`` file under a folder, except in dot
folders) sees only the main shards.

A rerun skips every shard whose JSON exists and rewrites the same bytes; ``OUTPUT/run.json``
records the settings, inputs and shard size, and a rerun with others is refused (its shards would
mix two runs). A shard that fails is
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

from ..encoder_states import SHARED_STATES
from ..extensions import register_extensions, vocab_for
from ..files import write_docbin, write_json
from ..languages import spacy_to_flores
from ..progress import pipe_by_component
from ..projection.prose import is_prose
from ..projection.voting import count_labels, merge_label_counts, vote_winners
from .pipeline import ProjectionSettings, build_pipeline, check_settings, check_unlabelled, spacy_lang
from .reannotate import Reannotator
from .shards import Shard, plan_shards, read_shard

logger = logging.getLogger("spacy_transalign")

MIN_EFLOMAL_SHARD = 2000
EXTRAS = ("filtered", "prose", "view")
# per-shard counts that add up over a corpus
COUNTS = ("docs_in", "docs_out", "docs_with_empty_translation", "translated", "sentences", "entities_in", "entities_out",
          "docs_filtered", "docs_prose", "encoder_states_reused")


def _work(output: Path, lang: str) -> Path:
    return output / lang / ".work"


class ShardProjector:
    """Runs the map step; one per process (a Ray actor holds one), pipelines built once per language."""

    def __init__(self, settings: Dict[str, Any], output: str, tgt_codes: Dict[str, str], extras: Sequence[str] = (),
                 component_bars: bool = False, gpu_id: int = -1) -> None:
        self.settings = ProjectionSettings(**settings)
        self.component_bars = component_bars
        if gpu_id >= 0:  # models follow thinc's device (models.resolve_device): a Ray actor sets its own
            import spacy

            spacy.require_gpu(gpu_id)
        self.output = Path(output)
        self.tgt_codes = tgt_codes
        self.extras = tuple(extras)
        self.pipelines: Dict[str, Any] = {}
        self.reannotators: Dict[str, List[Reannotator]] = {}

    def pipeline(self, lang: str):
        if lang not in self.pipelines:
            self.pipelines[lang] = build_pipeline(self.settings, lang, self.tgt_codes[lang], vote=False, batch_size=10**9)
        return self.pipelines[lang]

    def more_annotators(self, lang: str) -> List[Reannotator]:
        if lang not in self.reannotators:
            self.reannotators[lang] = [Reannotator(self.settings, lang, spec["pipeline"], spec["label_map"])
                                       for spec in self.settings.more_annotators]
        return self.reannotators[lang]

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
        before = dict(translator.summary), SHARED_STATES.hits
        out = DocBin(store_user_data=False)
        view = DocBin(store_user_data=True) if "view" in self.extras else None  # user data: costly to pack
        filtered, prose = DocBin(store_user_data=False), DocBin(store_user_data=False)
        counts: Dict[str, Dict[str, int]] = {}
        empty = entities_in = entities_out = 0
        projected: List[Doc] = []  # reverse: the target Docs, for the extra annotators
        for doc in pipe_by_component(nlp, docs, disable=not self.component_bars, leave=False):
            translation = doc._.translation
            source = translation if reverse else doc
            entities_in += len(source.ents) if source is not None else 0
            if translation is None or len(translation) == 0:
                empty += 1
                continue
            target = doc if reverse else translation
            if doc._.projection is not None:
                count_labels(((ent.text, ent.label_) for ent in target.ents), counts)
            out.add(target)
            entities_out += len(target.ents)
            if self.settings.more_annotators:
                projected.append(doc)
            if not any(o["reason"].startswith("dropped") for o in doc._.projection or []):
                filtered.add(target)
            if is_prose(source):
                prose.add(target)
            if view is not None:
                view.add(doc)
        work = _work(self.output, lang)
        for extra, docbin in (("filtered", filtered), ("prose", prose), ("view", view)):
            if extra in self.extras:
                write_docbin(work / f"{shard.name}.{extra}.spacy", docbin)
        write_docbin(work / f"{shard.name}.spacy", out)
        also = [self._reannotate(annotator, projected, work / f"{shard.name}.also-{k}.spacy")
                for k, annotator in enumerate(self.more_annotators(lang))]
        projector = nlp.get_pipe("transalign_projector")
        summary = {
            "shard": shard.name, "lang": lang, "input": shard.path, "first": shard.first, "docs_in": len(docs),
            "docs_out": len(out), "docs_with_empty_translation": empty, "docs_filtered": len(filtered),
            "docs_prose": len(prose),
            "translated": translator.summary["translated"] - before[0].get("translated", 0),
            "sentences": translator.summary["sentences"] - before[0].get("sentences", 0),
            "entities_in": entities_in, "entities_out": entities_out,
            "encoder_states_reused": SHARED_STATES.hits - before[1],
            "outcomes": dict(projector.summary), "label_counts": counts, "also": also,
            "seconds": round(time.perf_counter() - started, 2),
        }
        projector.summary.clear()
        write_json(work / f"{shard.name}.json", summary)  # last: marks the shard done
        return summary

    @staticmethod
    def _reannotate(annotator: Reannotator, docs: List[Doc], path: Path) -> Dict[str, Any]:
        """One extra tagger's projection of the shard, written to ``path``; its summary."""
        counts: Dict[str, Dict[str, int]] = {}
        out = DocBin(store_user_data=False)
        entities_out = 0
        for doc in annotator(docs):
            if doc._.projection is not None:
                count_labels(((ent.text, ent.label_) for ent in doc.ents), counts)
            out.add(doc)
            entities_out += len(doc.ents)
        write_docbin(path, out)
        summary = {"annotate_with": annotator.pipeline, "outcomes": dict(annotator.summary), "label_counts": counts,
                   "entities_out": entities_out}
        annotator.summary.clear()
        return summary


class _RayShardProjector(ShardProjector):
    """``map_batches`` callable: a batch is one or more (shard, language) tasks."""

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, List[str]]:
        results = [self.run(Shard(**json.loads(task)), lang) for task, lang in zip(batch["task"], batch["lang"])]
        return {"result": [json.dumps(r) for r in results]}


def _map_local(tasks, settings, output, tgt_codes, extras, progress, show_progress: bool) -> Iterable[Dict]:
    worker = ShardProjector(settings.to_dict(), str(output), tgt_codes, extras, component_bars=show_progress)
    for shard, lang in tasks:
        yield worker.run(shard, lang)
        progress()


def _map_ray(tasks, settings, output, tgt_codes, extras, progress, num_actors: int, num_gpus: float) -> Iterable[Dict]:
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
        fn_constructor_kwargs={"settings": settings.to_dict(), "output": str(output.resolve()), "tgt_codes": tgt_codes,
                              "extras": list(extras), "gpu_id": 0 if num_gpus else -1})  # Ray shows an actor its GPUs from 0
    for row in results.iter_rows():
        yield json.loads(row["result"])
        progress()


def _relabel(work_file: Path, final_file: Path, winners: Dict[str, str], lang: str, target=None) -> int:
    """Write ``work_file``'s Docs with the corpus-wide labels; ``target`` picks the Doc whose
    entities were projected (for view Docs: the translation, or the Doc itself in reverse)."""
    docs = list(DocBin().from_disk(work_file).get_docs(vocab_for(lang)))
    changed = 0
    out = DocBin(store_user_data=target is not None)
    for doc in docs:
        projected = target(doc) if target is not None else doc
        new = [Span(projected, e.start, e.end, label=winners.get(e.text, e.label_)) for e in projected.ents]
        moved = sum(n.label_ != e.label_ for n, e in zip(new, projected.ents))
        if moved:
            projected.set_ents(new, default="unmodified")  # same spans, new labels; missing words stay missing
            changed += moved
        out.add(doc)
    write_docbin(final_file, out)
    return changed


def _check_same_run(output: Path, identity: Dict[str, Any]) -> None:
    """Resume only the run that wrote OUTPUT: other settings or inputs would mix two runs' shards."""
    path = output / "run.json"
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        if before != identity:
            differ = sorted(k for k in set(before) | set(identity) if before.get(k) != identity.get(k))
            differ += sorted(f"settings.{k}" for k in identity["settings"] if before.get("settings", {}).get(k) != identity["settings"][k])
            raise ValueError(f"{output} holds a run with other {', '.join(d for d in differ if d != 'settings') or 'settings'}: "
                             "resuming would mix two runs' shards; use another output folder or delete this one")
    else:
        write_json(path, identity)


def _inputs_identity(inputs: Sequence[Path]) -> List[Dict[str, Any]]:
    return [{"path": str(Path(p).resolve()), "bytes": Path(p).stat().st_size, "mtime_ns": Path(p).stat().st_mtime_ns} for p in inputs]


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
    extras: Sequence[str] = (),
    show_progress: bool = True,
) -> Dict[str, Any]:
    """Project ``inputs`` (DocBins, BIO or plain-text files) into every language of ``tgt_langs``.

    Writes ``output/<lang>/shard-NNNNN.spacy`` and ``output/summary.json``; returns the summary."""
    from tqdm import tqdm

    if engine not in ("local", "ray"):
        raise ValueError(f"engine must be 'local' or 'ray', not {engine!r}")
    if not tgt_langs:
        raise ValueError("no target language given")
    unknown = sorted(set(extras) - set(EXTRAS))
    if unknown:
        raise ValueError(f"unknown extra output(s) {', '.join(unknown)} ({', '.join(EXTRAS)})")
    check_settings(settings)
    output = Path(output)
    needs_codes = settings.translator == "nllb" or settings.aligner == "transalign"  # NLLB's FLORES-200 language tags
    codes = {lang: (tgt_codes or {}).get(lang) or (spacy_to_flores(lang) if needs_codes else lang) for lang in tgt_langs}
    shards = plan_shards([Path(p) for p in inputs], shard_size)
    output.mkdir(parents=True, exist_ok=True)
    _check_same_run(output, {"settings": settings.to_dict(), "inputs": _inputs_identity(inputs), "shard_size": shard_size,
                             "extras": sorted(extras), "tgt_codes": codes})
    if settings.aligner == "eflomal" and len(shards) > 1 and shard_size < MIN_EFLOMAL_SHARD:
        logger.warning("eflomal aligns each shard on its own: shards of %d sentences align worse than %d or more",
                       shard_size, MIN_EFLOMAL_SHARD)
    done = {(lang, s.name) for lang in tgt_langs for s in shards if (_work(output, lang) / f"{s.name}.json").exists()}
    tasks = [(s, lang) for lang in tgt_langs for s in shards if (lang, s.name) not in done]
    bar = tqdm(total=len(tasks), desc="shards", unit="shard", disable=not show_progress)
    mapper = _map_local(tasks, settings, output, codes, extras, bar.update, show_progress) if engine == "local" else \
        _map_ray(tasks, settings, output, codes, extras, bar.update, num_actors, num_gpus)
    failed = [r for r in mapper if "error" in r]
    bar.close()
    summary: Dict[str, Any] = {"settings": settings.to_dict(), "engine": engine, "shard_size": shard_size, "vote": vote,
                               "shards": len(shards), "shards_resumed": len(done), "languages": {}}
    for lang in tgt_langs:
        lang_failed = [{k: r[k] for k in ("shard", "error")} for r in failed if r["lang"] == lang]
        parts = [json.loads((_work(output, lang) / f"{s.name}.json").read_text(encoding="utf-8"))
                 for s in shards if (_work(output, lang) / f"{s.name}.json").exists()]
        entry: Dict[str, Any] = {"failed_shards": lang_failed, "shards_done": len(parts)}
        outcomes = _summed_outcomes(parts)
        entry.update({key: sum(p.get(key, 0) for p in parts) for key in COUNTS}, outcomes=dict(sorted(outcomes.items())))
        if len(parts) == len(shards):
            winners = _corpus_winners(parts, outcomes, vote)
            work, doc_lang = _work(output, lang), spacy_lang(settings.src_lang if settings.method != "reverse" else lang)
            entry["relabelled_by_vote"] = sum(
                _relabel(work / f"{s.name}.spacy", output / lang / f"{s.name}.spacy", winners, spacy_lang(lang)) for s in shards)
            entry["outputs"] = [str(output / lang / f"{s.name}.spacy") for s in shards]
            register_extensions()  # view Docs keep their translation in doc._.translation
            for extra in extras:
                # view Docs are the pipeline's: the source Doc with its translation (reverse: the target Doc)
                target = (lambda d: d if settings.method == "reverse" else d._.translation) if extra == "view" else None
                for s in shards:
                    _relabel(work / f"{s.name}.{extra}.spacy", output / extra / lang / f"{s.name}.spacy", winners,
                             doc_lang if extra == "view" else spacy_lang(lang), target)
                entry[f"{extra}_outputs"] = [str(output / extra / lang / f"{s.name}.spacy") for s in shards]
            entry["also"] = [_reduce_also(output, work, lang, shards, parts, k, vote) for k in range(len(settings.more_annotators))]
        summary["languages"][lang] = entry
    write_json(output / "summary.json", summary)
    return summary


def _summed_outcomes(parts: List[Dict]) -> Counter:
    outcomes: Counter = Counter()
    for part in parts:
        outcomes.update(part["outcomes"])
    return outcomes


def _corpus_winners(parts: List[Dict], outcomes: Counter, vote: bool) -> Dict[str, str]:
    """The reduce step of the label vote over the shards' counts; as in one pipeline run, the
    vote needs more than one projected Doc."""
    return vote_winners(merge_label_counts(p["label_counts"] for p in parts)) if vote and outcomes.get("docs", 0) > 1 else {}


def _reduce_also(output: Path, work: Path, lang: str, shards: List[Shard], parts: List[Dict], k: int, vote: bool) -> Dict[str, Any]:
    """The K-th extra annotator's shards with its own corpus-wide vote, in ``OUTPUT/also-K/<lang>/``."""
    mine = [p["also"][k] for p in parts]
    outcomes = _summed_outcomes(mine)
    winners = _corpus_winners(mine, outcomes, vote)
    final = [output / f"also-{k}" / lang / f"{s.name}.spacy" for s in shards]
    relabelled = sum(_relabel(work / f"{s.name}.also-{k}.spacy", path, winners, spacy_lang(lang)) for s, path in zip(shards, final))
    return {"annotate_with": mine[0]["annotate_with"] if mine else None, "entities_out": sum(p["entities_out"] for p in mine),
            "outcomes": dict(sorted(outcomes.items())), "relabelled_by_vote": relabelled, "outputs": [str(p) for p in final]}


def failure_message(summary: Dict[str, Any], output: Path) -> Optional[str]:
    """One line for a run with failed shards (None if all went well)."""
    failed = [f for entry in summary["languages"].values() for f in entry["failed_shards"]]
    if not failed:
        return None
    return (f"{len(failed)} shard(s) failed, e.g. {failed[0]['shard']}: {failed[0]['error']} "
            f"(others kept; see {Path(output) / 'summary.json'}; fix and rerun to resume)")
