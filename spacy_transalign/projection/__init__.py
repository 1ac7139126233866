"""Entity projection across a word alignment: strategies, BIO files and the pipeline component."""
