"""Shared fixtures: small texts written for these tests (tests/fixtures), real data from
../shared/data (tests that need it skip without it), and tiny NLLB-architecture models built locally."""
import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a test must never wait on the network
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("TRANSALIGN_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def deterministic_torch():
    torch.manual_seed(0)
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED} (set TRANSALIGN_SHARED_DATA)")
    return SHARED


@pytest.fixture(scope="session")
def enfr_pairs():
    """100 English-French sentence pairs written for these tests (the first 50 are en_news.bio)."""
    from spacy_transalign.corpora import read_parallel

    return read_parallel(FIXTURES / "en_fr.txt")


@pytest.fixture(scope="session")
def shared_enfr_pairs(shared_data):
    """The 447 gold-aligned en-fr pairs of ../shared/data."""
    from spacy_transalign.corpora import read_parallel

    return read_parallel(shared_data / "alignment_gold" / "enfr.src-tgt")


@pytest.fixture(scope="session")
def english_news():
    """50 tokenised English news-style sentences with PER/ORG/LOC BIO tags, written for these tests."""
    from spacy_transalign.corpora import read_bio

    return read_bio(FIXTURES / "en_news.bio")


@pytest.fixture(scope="session")
def tiny_corpus(enfr_pairs):
    """The tiny models' sentencepiece vocabulary is trained on the fixture pairs: same model anywhere."""
    return [" ".join(side) for pair in enfr_pairs for side in pair]


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory, tiny_corpus) -> Path:
    """A 2-layer, d_model 32 NLLB-architecture model whose vocabulary is trained on real en/fr/ro text."""
    from spacy_transalign.testing import build_nllb_like

    torch.set_num_threads(1)
    return build_nllb_like(tmp_path_factory.mktemp("tiny_nllb"), tiny_corpus, seed=0)


@pytest.fixture(scope="session")
def tiny_nllb_trained_scale(tmp_path_factory, tiny_corpus) -> Path:
    """The same architecture with weights at a trained model's scale (std 0.02), for precision tests."""
    from spacy_transalign.testing import build_nllb_like

    torch.set_num_threads(1)
    return build_nllb_like(tmp_path_factory.mktemp("tiny_nllb_002"), tiny_corpus, d_model=64, ffn_dim=128, init_std=0.02, seed=0)
