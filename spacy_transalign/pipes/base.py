"""What the three components share: spaCy's ``Pipe`` contract, with work done a batch at a time.

Each component works on batches of its *own* ``batch_size``, whatever batch size ``nlp.pipe``
is given: the batch is the scope of the projector's label vote and the text eflomal learns
from, so it must not change with how the caller streams Docs. A batch that fails goes to the
pipeline's error handler (``nlp.set_error_handler``), as in spaCy's own components: the
default raises, a handler that returns drops that batch's Docs.
"""
from typing import Callable, Iterable, Iterator, Optional, Sequence

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc
from spacy.util import minibatch


class BatchPipe(Pipe):
    name: str
    batch_size: int

    def __call__(self, doc: Doc) -> Doc:
        self.process_batch([doc])  # nlp(doc) hands a failure to the error handler itself
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: Optional[int] = None) -> Iterator[Doc]:
        """``batch_size`` (from ``nlp.pipe``) is ignored: see the module docstring."""
        error_handler = self.get_error_handler()
        for docs in minibatch(stream, size=self.batch_size):
            try:
                self.process_batch(docs)
            except Exception as err:  # noqa: BLE001  (the handler decides)
                error_handler(self.name, self, docs, err)
                continue
            yield from docs

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None, *, nlp: Optional[Language] = None) -> None:
        """Load what the component needs now rather than on the first Doc."""

    def process_batch(self, docs: Sequence[Doc]) -> None:
        raise NotImplementedError
