"""One alignment benchmark configuration, in its own process so its peak RSS is its own."""
import json
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import gold_pairs  # noqa: E402


def main(impl: str, model: str, pairs: int, threads: int, out: str) -> None:
    torch.set_num_threads(threads)
    data = gold_pairs(pairs)
    src, tgt = [s for s, _ in data], [t for _, t in data]
    if impl == "reference":
        from reference_transalign import ReferenceTransAlign

        aligner = ReferenceTransAlign(model, 12, "eng_Latn", "fra_Latn")
        started = time.perf_counter()
        links = [sorted(x) for x in aligner.align(src, tgt)]
    else:
        from spacy_transalign import EncoderAligner

        aligner = EncoderAligner(model, layer=12, src_lang="eng_Latn", tgt_lang="fra_Latn", batch_size=16,
                                 precision=impl.split("-")[1])
        aligner.initialize()
        started = time.perf_counter()
        links = [a.pairs for a in aligner.align(src, tgt)]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out).write_text(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "links": links}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
