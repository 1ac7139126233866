"""Progress for whole-corpus runs, one bar per component.

The components work on batches of their own size (the whole corpus, for eflomal and the label
vote), so a bar over ``nlp.pipe`` sits at 0 until the last component's batch is done and then
jumps to the end. Running the components one after another over a list shows where the time goes.
"""
from typing import Iterable, List

from spacy.language import Language
from spacy.tokens import Doc
from tqdm import tqdm


def pipe_by_component(nlp: Language, docs: Iterable[Doc], *, disable: bool = False, leave: bool = True) -> List[Doc]:
    """``nlp.pipe`` over a list, component by component, each with a bar named after it.

    Each component's own ``pipe`` is used, so its batching and the pipeline's error handler
    apply as in ``nlp.pipe``: a batch the handler drops is missing from the result.
    """
    docs = list(docs)
    for name, component in nlp.pipeline:
        with tqdm(total=len(docs), desc=name, unit="doc", disable=disable, leave=leave) as bar:
            done: List[Doc] = []
            stream = component.pipe(docs) if hasattr(component, "pipe") else map(component, docs)
            for doc in stream:
                done.append(doc)
                bar.update(1)
        docs = done
    return docs
