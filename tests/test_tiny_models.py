"""The tiny local models that stand in for real weights load through the libraries users run."""
import pytest
import spacy

from workflow import SCRIPTS


@pytest.fixture(scope="module")
def tiny_xlmr(tmp_path_factory, tiny_corpus):
    from spacy_transalign.testing import build_xlmr_like

    return build_xlmr_like(tmp_path_factory.mktemp("tiny_xlmr"), tiny_corpus, seed=0)


def test_tiny_xlmr_loads_by_path_in_spacy_transformers(tiny_xlmr):
    from transformers import AutoTokenizer

    nlp = spacy.blank("es")
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "spacy-transformers.TransformerModel.v3", "name": str(tiny_xlmr),
        "tokenizer_config": {"use_fast": True}, "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1",
                                                             "window": 128, "stride": 96}}})
    nlp.initialize()
    doc = nlp("Juan Pérez vive en Madrid .")
    pieces = AutoTokenizer.from_pretrained(str(tiny_xlmr))("Juan Pérez vive en Madrid .")["input_ids"]
    assert doc._.trf_data.tensors[0].shape == (1, len(pieces), 32)  # a 32-wide vector per piece, <s> </s> included
    assert len(doc._.trf_data.align) == len(doc) == 6



def test_spacy_package_lists_spacy_transformers_and_the_plugin_when_its_components_are_in(tiny_xlmr, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "check_package", SCRIPTS / "check_package.py")
    check_package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_package)
    nlp = spacy.blank("es")
    nlp.add_pipe("transformer", config={"model": {"@architectures": "spacy-transformers.TransformerModel.v3",
                                                  "name": str(tiny_xlmr)}})
    nlp.add_pipe("ner").add_label("PER")
    nlp.initialize()
    nlp.to_disk(tmp_path / "trf")
    nlp.add_pipe("transalign_projector", config={"direction": "from_translation"})
    nlp.to_disk(tmp_path / "trf_with_plugin")
    names = lambda reqs: sorted(r.split(">")[0] for r in reqs)  # noqa: E731
    assert names(check_package.package_requirements(tmp_path / "trf")) == ["spacy", "spacy-transformers"]
    assert names(check_package.package_requirements(tmp_path / "trf_with_plugin")) == [
        "spacy", "spacy-transalign", "spacy-transformers"]
