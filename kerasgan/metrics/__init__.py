"""Sample quality scores: FID, KID, Inception Score, SWD, precision/recall, classifier scores, neighbours, mode coverage.

Functions work on features or images; `Evaluator` / `evaluate` stream images
from a generator and real data through a feature extractor; `MetricCallback`
logs scores during `fit()`. Scores computed with `inception_v3()` (Keras'
ImageNet weights) are not comparable to published FIDs: see
`kerasgan.metrics.inception`.
"""

from kerasgan.metrics.callback import MetricCallback
from kerasgan.metrics.classifier import classifier_scores
from kerasgan.metrics.evaluate import METRICS, Evaluator, default_cache_dir, evaluate, parse_metrics
from kerasgan.metrics.extractors import Extractor, as_extractor
from kerasgan.metrics.fid import GaussianStats, fid, frechet_distance, kid, mmd2_unbiased, trace_sqrt_product
from kerasgan.metrics.inception import InceptionScoreAccumulator, inception_score, inception_v3
from kerasgan.metrics.modes import mode_coverage, mode_histogram, nearest_modes, stacked_mnist_modes
from kerasgan.metrics.neighbours import nearest_neighbours, neighbours_grid
from kerasgan.metrics.precision_recall import precision_recall
from kerasgan.metrics.swd import laplacian_pyramid, sliced_wasserstein, swd

__all__ = [
    "METRICS",
    "Evaluator",
    "Extractor",
    "GaussianStats",
    "InceptionScoreAccumulator",
    "MetricCallback",
    "as_extractor",
    "classifier_scores",
    "default_cache_dir",
    "evaluate",
    "fid",
    "frechet_distance",
    "inception_score",
    "inception_v3",
    "kid",
    "laplacian_pyramid",
    "mmd2_unbiased",
    "mode_coverage",
    "stacked_mnist_modes",
    "mode_histogram",
    "nearest_modes",
    "nearest_neighbours",
    "neighbours_grid",
    "parse_metrics",
    "precision_recall",
    "sliced_wasserstein",
    "swd",
    "trace_sqrt_product",
]
