"""Corpus-scale projection: shards, several target languages, resume, a local or a Ray engine."""
from .pipeline import ProjectionSettings, annotator_specs, build_pipeline, parse_label_map
from .run import MIN_EFLOMAL_SHARD, project_corpus
from .shards import Shard, plan_shards, read_shard

__all__ = ["ProjectionSettings", "annotator_specs", "build_pipeline", "parse_label_map", "project_corpus", "MIN_EFLOMAL_SHARD",
           "Shard", "plan_shards", "read_shard"]
