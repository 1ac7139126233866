"""Several models at a time on a CPU, one core each: import this first in a script that does so.

Importing it leaves numpy, blis and torch one BLAS thread per process (it must come before numpy
loads, so before spaCy), and :func:`fork_starmap` runs calls in forked children, which inherit
what the parent loaded instead of receiving it pickled.
"""
import multiprocessing
import os
from typing import Callable, List, Sequence, TypeVar

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

T = TypeVar("T")


def fork_starmap(func: Callable[..., T], work: Sequence[tuple], jobs: int) -> List[T]:
    """``[func(*args) for args in work]``, ``jobs`` calls at a time in forked processes; results
    in ``work``'s order. ``jobs <= 1`` runs them here: callers pass 1 on a GPU, which forked
    children cannot share."""
    if jobs <= 1 or len(work) <= 1:
        return [func(*args) for args in work]
    with multiprocessing.get_context("fork").Pool(min(jobs, len(work))) as pool:
        return pool.starmap(func, work, chunksize=1)
