"""Markdown table and PNG chart of every evaluated method (per-label and micro F1)."""
import json
from pathlib import Path
from typing import List

import typer

from spacy_transalign.files import atomic_write


def main(metrics_dir: Path, output_md: Path, output_png: Path, methods: List[str] = typer.Argument(None)) -> None:
    rows = {}
    for path in sorted(metrics_dir.glob("eval_*.json")):
        name = path.stem[len("eval_"):]
        if methods and name not in methods:
            continue
        data = json.loads(path.read_text())
        rows[name] = {"P": data["ents_p"], "R": data["ents_r"], "F1": data["ents_f"],
                      **{label: scores["f"] for label, scores in (data.get("ents_per_type") or {}).items()}}
    if not rows:
        raise typer.BadParameter(f"no eval_*.json in {metrics_dir}")
    labels = sorted({k for r in rows.values() for k in r} - {"P", "R", "F1"})
    header = ["method", "P", "R", "F1"] + [f"F1 {label}" for label in labels]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, r in rows.items():
        cells = [name] + [f"{100 * r[k]:.1f}" for k in ("P", "R", "F1")] + [f"{100 * r.get(label, 0.0):.1f}" for label in labels]
        lines.append("| " + " | ".join(cells) + " |")
    with atomic_write(output_md) as f:
        f.write("\n".join(lines) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = labels + ["F1"]
    width = 0.8 / len(rows)
    fig, ax = plt.subplots(figsize=(1.6 * len(groups) + 2, 4))
    for k, (name, r) in enumerate(rows.items()):
        xs = [g + k * width for g in range(len(groups))]
        ax.bar(xs, [100 * r.get(label, 0.0) for label in groups], width, label=name)
    ax.set_xticks([g + width * (len(rows) - 1) / 2 for g in range(len(groups))], [("micro " if g == "F1" else "") + g for g in groups])
    ax.set_ylabel("F1 (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    ax.set_title("Spanish NER (esp.testa, PER/ORG/LOC)")
    fig.tight_layout()
    output_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output_png, dpi=100)
    typer.echo("\n".join(lines))


if __name__ == "__main__":
    typer.run(main)
