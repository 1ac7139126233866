"""Command line: ``python -m spacy_transalign`` / ``spacy-transalign``."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

import click
import typer
from tqdm import tqdm

from .files import InputFileError, atomic_write, check_writable, write_docbin

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="Cross-lingual NER projection for spaCy.")

ENCODING = typer.Option("utf-8", help="Encoding of the input text files (e.g. latin-1)")
SCHEME = typer.Option("auto", help="Tagging scheme of labelled files: auto (detect), bio, bioes, io")


def run(prog_name: Optional[str] = None) -> None:
    """The command line's entry point: an error is one line on stderr and a non-zero exit code;
    ``--verbose`` shows the traceback too."""
    _run_app(app, prog_name)


def run_script(main: Callable[..., Any]) -> None:
    """``typer.run(main)`` with the command line's error handling (the workflow's scripts use it)."""
    script = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    script.command()(main)
    _run_app(script, None)


def _run_app(application: typer.Typer, prog_name: Optional[str]) -> None:
    verbose = any(arg in ("--verbose", "-v") for arg in sys.argv[1:])
    try:
        application(prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as err:  # noqa: BLE001  (every error a user can cause ends here)
        if verbose:
            raise
        message = str(err).strip() or type(err).__name__
        typer.echo(f"Error: {message}", err=True)
        typer.echo("(run with --verbose for the traceback)", err=True)
        sys.exit(1)


def _echo_json(data: dict) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def align(
    input: Path = typer.Argument(..., exists=True, dir_okay=False, help="One 'source ||| target' pair per line, pre-tokenised"),
    output: Path = typer.Argument(..., dir_okay=False, help="0-based Pharaoh links, one line per pair"),
    model: str = typer.Option("facebook/nllb-200-distilled-600M", help="Hub name or local folder"),
    layer: int = typer.Option(12, help="Encoder layer whose hidden states are compared"),
    src_lang: Optional[str] = typer.Option(None, help="Source language code, e.g. eng_Latn (NLLB)"),
    tgt_lang: Optional[str] = typer.Option(None, help="Target language code, e.g. fra_Latn (NLLB)"),
    method: str = typer.Option("softmax", help="softmax | argmax | itermax"),
    threshold: float = typer.Option(1e-3, help="softmax: keep links above this in both directions"),
    batch_size: int = typer.Option(32, help="Sentences per forward pass"),
    lora_path: Optional[str] = typer.Option(None, help="peft LoRA adapter for the encoder"),
    precision: str = typer.Option("fp32", help="fp32 | bf16 | int8"),
    device: Optional[str] = typer.Option(None, help="cpu, cuda, cuda:1 ... (default: cpu)"),
    local_files_only: bool = typer.Option(False, help="Never contact the model hub"),
    chunk_size: int = typer.Option(2000, help="Pairs encoded per chunk (bounds memory)"),
    encoding: str = ENCODING,
) -> None:
    """Word-align sentence pairs with an encoder (TransAlign)."""
    from .aligners.encoder import EncoderAligner
    from .corpora import read_parallel

    check_writable(output)
    pairs = read_parallel(input, encoding)
    aligner = EncoderAligner(
        model=model, layer=layer, method=method, threshold=threshold, src_lang=src_lang,  # type: ignore[arg-type]
        tgt_lang=tgt_lang, batch_size=batch_size, lora_path=lora_path, precision=precision,  # type: ignore[arg-type]
        device=device, local_files_only=local_files_only,
    )
    # links do not depend on how pairs are chunked: chunks of ~2% keep the bar moving on small inputs too
    step = max(batch_size, min(chunk_size, -(-len(pairs) // 50)))
    with atomic_write(output) as f, tqdm(total=len(pairs), unit="pair") as bar:
        for start in range(0, len(pairs), step):
            chunk = pairs[start : start + step]
            for alignment in aligner.align([s for s, _ in chunk], [t for _, t in chunk]):
                f.write(alignment.to_pharaoh() + "\n")
            bar.update(len(chunk))
    typer.echo(f"Aligned {len(pairs)} pairs -> {output}", err=True)


@app.command("evaluate-alignment")
def evaluate_alignment(
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold links: i-j sure, ipj possible"),
    pred: Path = typer.Argument(..., exists=True, dir_okay=False, help="Predicted Pharaoh links"),
    gold_index_base: int = typer.Option(1, help="Index base of the gold file"),
    pred_index_base: int = typer.Option(0, help="Index base of the prediction file"),
    sentences: Optional[Path] = typer.Option(None, exists=True, dir_okay=False,
                                             help="The 'source ||| target' pairs: every link is checked against its sentence"),
    encoding: str = ENCODING,
) -> None:
    """Alignment error rate, precision, recall and F1 as JSON."""
    from .evaluation import evaluate_alignment_files

    _echo_json(evaluate_alignment_files(gold, pred, gold_index_base, pred_index_base, sentences, encoding))


@app.command("project-bio")
def project_bio(
    labeled: Path = typer.Argument(..., exists=True, dir_okay=False, help="'token label' file whose labels are projected"),
    target: Path = typer.Argument(..., exists=True, dir_okay=False, help="'token [label]' file receiving labels (its labels are ignored)"),
    alignments: Path = typer.Argument(..., exists=True, dir_okay=False, help="One line per sentence, optional '<id>\\t', links i-j (0-based)"),
    output: Path = typer.Argument(..., dir_okay=False, help="TARGET's tokens with projected BIO labels"),
    strategy: str = typer.Option("support", help="hull (TransAlign's reference) | support (default) | a registered name"),
    reverse: bool = typer.Option(False, help="Links are target-labelled (i indexes TARGET words)"),
    vote: Optional[bool] = typer.Option(None, "--vote/--no-vote", help="Corpus-level majority label per surface form (default: on, off for hull)"),
    scheme: str = SCHEME,
    encoding: str = ENCODING,
) -> None:
    """Project BIO labels across word alignments and print a summary."""
    from .projection.bio import project_bio_files

    check_writable(output)
    summary = project_bio_files(labeled, target, alignments, output, strategy=strategy, reverse=reverse, vote=vote,
                                scheme=_scheme(scheme), encoding=encoding)
    _echo_json(summary)


@app.command("evaluate-bio")
def evaluate_bio(
    pred: Path = typer.Argument(..., exists=True, dir_okay=False, help="Predicted 'token label' file"),
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold 'token label' file"),
    allow_token_mismatch: bool = typer.Option(False, help="Warn about sentences whose tokens differ instead of failing"),
    scheme: str = SCHEME,
    encoding: str = ENCODING,
) -> None:
    """Exact-match span precision, recall and F1 (conlleval reading), micro and per label."""
    from .corpora import read_bio
    from .evaluation import compare_tokens, span_prf

    predicted = read_bio(pred, scheme=_scheme(scheme), encoding=encoding)
    reference = read_bio(gold, scheme=_scheme(scheme), encoding=encoding)
    mismatched = compare_tokens(predicted, reference, pred, gold, fail=not allow_token_mismatch)
    result = span_prf([tags for _, tags in predicted], [tags for _, tags in reference])
    if mismatched:
        typer.echo(f"Warning: {mismatched} sentences of {pred} have other tokens than in {gold}", err=True)
        result["sentences_with_other_tokens"] = mismatched
    _echo_json(result)


def _scheme(value: str) -> str:
    from .tags import SCHEMES

    if value not in SCHEMES:
        raise typer.BadParameter(f"--scheme must be one of {', '.join(SCHEMES)}, not {value!r}")
    return value


@app.command()
def translate(
    input: Path = typer.Argument(..., exists=True, dir_okay=False, help="A DocBin (.spacy) or a text file, one document a line"),
    output: Path = typer.Argument(..., dir_okay=False, help="DocBin (.spacy) of the input Docs with doc._.translation set"),
    translator_config: Path = typer.Option(..., exists=True, dir_okay=False, help="Config file with a [translator] block (format: see above)"),
    source_lang: str = typer.Option("en", help="spaCy language code of the input Docs (a text INPUT is tokenised with it)"),
    target_lang: Optional[str] = typer.Option(None, help="spaCy language of the translations (default: from the backend)"),
    batch_size: int = typer.Option(256, help="Docs translated per batch: each batch is one call of the backend (and one cache transaction)"),
    cache_dir: Optional[Path] = typer.Option(None, help="Translation cache folder: reruns and resumed runs translate nothing twice"),
    annotate_with: Optional[str] = typer.Option(None, help="spaCy pipeline run on the translations (translate-test)"),
    encoding: str = ENCODING,
) -> None:
    """Translate Docs and store the translations in a DocBin.

    The translator config is a spaCy config file whose [translator] block names a registered
    backend and its settings, e.g.

    \b
        [translator]
        @misc = "spacy-transalign.ApertiumTranslator.v1"
        pair = "en-es"

    or "spacy-transalign.HFTranslator.v1" with model = "facebook/nllb-200-distilled-600M",
    src_lang = "eng_Latn", tgt_lang = "spa_Latn".
    """
    import time

    import spacy
    from spacy.tokens import DocBin
    from spacy.util import load_config

    from .files import read_text, text_lines

    check_writable(output)
    config = load_config(translator_config, interpolate=True)
    if "translator" not in config:
        raise typer.BadParameter(f"{translator_config} has no [translator] block")
    nlp = spacy.blank(source_lang)
    if input.suffix == ".spacy":
        docs = list(DocBin().from_disk(input).get_docs(nlp.vocab))
    else:
        docs = [nlp.make_doc(line) for line in text_lines(read_text(input, encoding))]
    component = nlp.add_pipe("transalign_translator", config={
        "translator": dict(config["translator"]), "target_lang": target_lang, "batch_size": batch_size,
        "cache_dir": str(cache_dir) if cache_dir else None, "annotate_with": annotate_with,
    })
    started = time.perf_counter()
    out = DocBin(store_user_data=True)
    for doc in tqdm(component.pipe(docs, batch_size=batch_size), total=len(docs), unit="doc"):
        out.add(doc)
    seconds = time.perf_counter() - started
    write_docbin(output, out)
    summary = dict(component.summary, seconds=round(seconds, 3))
    summary["sentences_per_second"] = round(summary.get("sentences", 0) / max(seconds, 1e-9), 1)
    summary["source_tokens_per_second"] = round(summary.get("source_tokens", 0) / max(seconds, 1e-9), 1)
    _echo_json(summary)


@app.command("convert-ct2")
def convert_ct2(
    model: str = typer.Argument(..., help="transformers MT model: hub name or local folder"),
    output_dir: Path = typer.Argument(..., help="Folder for the CTranslate2 model (and its tokenizer)"),
    quantization: Optional[str] = typer.Option(None, help="int8, int8_float32, float16, ... (default: keep float32)"),
    force: bool = typer.Option(False, help="Overwrite OUTPUT_DIR"),
) -> None:
    """Convert a transformers MT model for the CT2Translator backend."""
    from .translators.ct2 import convert_to_ct2

    convert_to_ct2(model, output_dir, quantization=quantization, force=force)
    typer.echo(f"Converted {model} -> {output_dir}", err=True)


@app.command("project-corpus")
def project_corpus_command(
    inputs: List[Path] = typer.Argument(..., exists=True, dir_okay=False, metavar="INPUT...", help="DocBins, BIO or plain-text files (one sentence a line)"),
    output: Path = typer.Argument(..., file_okay=False, metavar="OUTPUT_DIR", help="OUTPUT_DIR/<lang>/shard-NNNNN.spacy and OUTPUT_DIR/summary.json"),
    tgt_langs: str = typer.Option("es", help="Target languages, comma-separated (es,ca,gl)"),
    method: str = typer.Option("alignment", help="alignment | marker (markers first, alignment as fallback) | reverse"),
    translator: str = typer.Option("apertium", help="apertium | nllb"),
    aligner: str = typer.Option("eflomal", help="eflomal | transalign"),
    strategy: str = typer.Option("support", help="support | hull"),
    src_lang: str = "en",
    mt_model: str = "facebook/nllb-200-distilled-600M",
    align_model: str = "facebook/nllb-200-distilled-600M",
    align_layer: int = 12,
    src_code: str = "eng_Latn",
    tgt_code: str = typer.Option("", help="FLORES-200 codes of the target languages, comma-separated in --tgt-langs order "
                                          "(default: derived, e.g. es -> spa_Latn)"),
    annotate_with: Optional[str] = typer.Option(None, help="reverse: the source-language NER pipeline"),
    label_map: str = typer.Option("", help="Rename/select source labels, e.g. PERSON=PER,GPE=LOC,LOC=LOC,ORG=ORG"),
    also_annotate_with: List[str] = typer.Option([], help="reverse: one more source-language NER pipeline, projected through "
                                                          "the same alignment into OUTPUT_DIR/also-K/<lang>/ (repeatable)"),
    also_label_map: List[str] = typer.Option([], help="... its label map ('' for none), one per --also-annotate-with"),
    max_new_tokens: int = typer.Option(256, help="nllb: the longest translation, in tokens"),
    lora_path: str = typer.Option("", help="transalign: a peft LoRA adapter folder"),
    cache_dir: Optional[Path] = typer.Option(None, help="Translation cache (SQLite): a rerun translates nothing twice"),
    gpu_id: int = typer.Option(-1, help="GPU for the local engine (Ray actors get theirs through --num-gpus)"),
    engine: str = typer.Option("local", help="local | ray (a cluster by RAY_ADDRESS, else Ray on this machine)"),
    num_actors: int = typer.Option(1, help="ray: actors, each with its own pipelines"),
    num_gpus: float = typer.Option(0, help="ray: GPUs per actor"),
    shard_size: int = typer.Option(2000, help="Sentences per shard (eflomal aligns a shard at a time: keep it >= 2000)"),
    batch_size: int = typer.Option(2000, help="Sentences per translator call (the MT backend batches inside it); "
                                              "a shard is aligned and projected at once"),
    vote: bool = typer.Option(True, "--vote/--no-vote", help="Corpus-wide majority label per projected surface form"),
    filtered: bool = typer.Option(False, help="Also write OUTPUT_DIR/filtered/<lang>/: the Docs in which no entity was dropped"),
    prose: bool = typer.Option(False, help="Also write OUTPUT_DIR/prose/<lang>/: the Docs whose source sentence has a "
                                           "lower-case word (no tables, headlines or datelines)"),
    view: bool = typer.Option(False, help="Also write OUTPUT_DIR/view/<lang>/: the pipeline's Docs for `spacy_transalign view`"),
) -> None:
    """Project a corpus into one or more languages, in shards: OUTPUT_DIR/<lang>/shard-NNNNN.spacy
    and OUTPUT_DIR/summary.json. A rerun resumes: finished shards are skipped."""
    from .scaleout import ProjectionSettings, annotator_specs, parse_label_map, project_corpus
    from .scaleout.run import failure_message

    langs = [lang.strip() for lang in tgt_langs.split(",") if lang.strip()]
    codes = [c.strip() for c in tgt_code.split(",") if c.strip()]
    if codes and len(codes) != len(langs):
        raise typer.BadParameter(f"--tgt-code names {len(codes)} codes for {len(langs)} languages")
    if gpu_id >= 0 and engine == "local":
        import spacy

        spacy.require_gpu(gpu_id)
    settings = ProjectionSettings(
        method=method, src_lang=src_lang, translator=translator, aligner=aligner, strategy=strategy, mt_model=mt_model,
        align_model=align_model, align_layer=align_layer, src_code=src_code, max_new_tokens=max_new_tokens, lora_path=lora_path,
        annotate_with=annotate_with, label_map=parse_label_map(label_map), cache_dir=str(cache_dir) if cache_dir else None,
        gpu_id=gpu_id, batch_size=batch_size,
        more_annotators=annotator_specs(also_annotate_with, also_label_map))
    summary = project_corpus(inputs, output, langs, settings, tgt_codes=dict(zip(langs, codes)), engine=engine,
                             num_actors=num_actors, num_gpus=num_gpus, shard_size=shard_size, vote=vote,
                             extras=[name for name, wanted in (("filtered", filtered), ("prose", prose), ("view", view)) if wanted])
    _echo_json({lang: {k: v for k, v in entry.items() if not k.endswith("outputs")} for lang, entry in summary["languages"].items()})
    failed = failure_message(summary, output)
    if failed:
        raise RuntimeError(failed)


@app.command()
def view(
    docbin: Path = typer.Argument(..., exists=True, dir_okay=False, help="DocBin of Docs with doc._.translation (user data stored)"),
    output: Path = typer.Argument(..., dir_okay=False, help="The HTML report (one self-contained file)"),
    outcome: List[str] = typer.Option([], help="Show Docs with an entity of this outcome; shell patterns (dropped_*); repeatable"),
    label: List[str] = typer.Option([], help="Show Docs with an entity of this label; repeatable"),
    limit: Optional[int] = typer.Option(None, help="Show at most N Docs (the summary counts all)"),
    lang: str = typer.Option("xx", help="spaCy language of the DocBin's Docs (only its vocabulary is used)"),
    reverse: bool = typer.Option(False, help="The entities were projected from the translation onto the Doc (translate-test)"),
    title: str = typer.Option("spacy-transalign projection", help="The report's title"),
) -> None:
    """An HTML report of projected Docs: tokens, links, entities and outcomes, with a summary,
    filters, search and paging. It loads nothing from the network."""
    import time

    from spacy.tokens import DocBin

    from .extensions import vocab_for
    from .viewer import write_report

    check_writable(output)
    started = time.perf_counter()
    try:
        docs = DocBin().from_disk(docbin).get_docs(vocab_for(lang))
        summary = write_report(docs, output, outcomes=outcome, labels=label, limit=limit, title=title,
                               direction="from_translation" if reverse else "to_translation")
    except (ValueError, KeyError) as err:
        raise InputFileError(f"{docbin}: {err}") from err
    typer.echo(f"{summary['shown']:,} of {summary['docs']:,} Docs -> {output} ({time.perf_counter() - started:.1f} s)", err=True)
