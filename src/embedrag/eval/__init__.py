"""Evaluation: ranking metrics (pure functions), BEIR data sets, and the retrieval runner."""

from embedrag.eval.beir import BeirDataset, CorpusDoc, load_beir
from embedrag.eval.metrics import DEFAULT_MEASURES, METRICS, evaluate_run, parse_measure
from embedrag.eval.runner import MODES, RetrievalReport, RunSpec, evaluate_retrieval

__all__ = [
    "DEFAULT_MEASURES",
    "METRICS",
    "MODES",
    "BeirDataset",
    "CorpusDoc",
    "RetrievalReport",
    "RunSpec",
    "evaluate_retrieval",
    "evaluate_run",
    "load_beir",
    "parse_measure",
]
