"""Sample quality scores."""

from kerasgan.metrics.classifier import classifier_scores

__all__ = ["classifier_scores"]
