"""Markdown table and PNG chart of every evaluated method (per-label and micro F1)."""
import json
from pathlib import Path
from typing import List, Optional

import typer

from spacy_transalign.cli import run_script
from spacy_transalign.files import atomic_write


def main(
    metrics_dir: Path,
    output_md: Path,
    output_png: Path,
    methods: List[str] = typer.Argument(None),
    test_file: str = typer.Option("esp.testa", help="The evaluated file (its name goes into the chart's title)"),
    silver: Optional[Path] = typer.Option(None, help="silver_quality.py's JSON: a second table"),
    prefix: str = typer.Option("eval_", help="Read METRICS_DIR/PREFIX<method>.json"),
) -> None:
    rows = {}
    for path in sorted(metrics_dir.glob(f"{prefix}*.json")):
        name = path.stem[len(prefix):]
        if methods and name not in methods:
            continue
        data = json.loads(path.read_text())
        rows[name] = {"P": data["ents_p"], "R": data["ents_r"], "F1": data["ents_f"],
                      **{label: scores["f"] for label, scores in (data.get("ents_per_type") or {}).items()}}
    if not rows:
        raise typer.BadParameter(f"no {prefix}*.json in {metrics_dir}" + (f" for {', '.join(methods)}" if methods else ""))
    labels = sorted({k for r in rows.values() for k in r} - {"P", "R", "F1"})
    header = ["method", "P", "R", "F1"] + [f"F1 {label}" for label in labels]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, r in rows.items():
        cells = [name] + [f"{100 * r[k]:.1f}" for k in ("P", "R", "F1")] + [f"{100 * r.get(label, 0.0):.1f}" for label in labels]
        lines.append("| " + " | ".join(cells) + " |")
    lines[:0] = [f"Evaluated on `{test_file}`.", ""]
    if silver and silver.exists():
        quality = json.loads(silver.read_text())
        lines += ["", "Silver data against the gold labels of the same text (diagnostic only, not used in training):", "",
                  "| silver data | P | R | F1 | sentences | missing words |", "|---|---|---|---|---|---|"]
        for name, q in quality.items():
            lines.append(f"| {name} | {100 * q['precision']:.1f} | {100 * q['recall']:.1f} | {100 * q['f1']:.1f} "
                         f"| {q['sentences']} | {q.get('missing_words', 0)} |")
    with atomic_write(output_md) as f:
        f.write("\n".join(lines) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = labels + ["F1"]
    width = 0.8 / len(rows)
    fig, ax = plt.subplots(figsize=(1.2 * len(groups) * max(1, len(rows) / 3) + 3, 4))
    for k, (name, r) in enumerate(rows.items()):
        xs = [g + k * width for g in range(len(groups))]
        ax.bar(xs, [100 * r.get(label, 0.0) for label in groups], width, label=name)
    ax.set_xticks([g + width * (len(rows) - 1) / 2 for g in range(len(groups))], [("micro " if g == "F1" else "") + g for g in groups])
    ax.set_ylabel("F1 (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # beside the axes: covers no bar
    ax.set_title(f"NER F1 on {Path(test_file).name} ({', '.join(labels)})")
    fig.tight_layout()
    output_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output_png, dpi=100)
    typer.echo("\n".join(lines))


if __name__ == "__main__":
    run_script(main)
