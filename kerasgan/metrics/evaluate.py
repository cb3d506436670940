"""Scoring a generator against real data: several metrics from one pass over the images.

`Evaluator` reads the real images once (or loads their statistics from the
cache), then scores any number of generators or image sets; `MetricCallback`
and `kerasgan evaluate` are built on it. Images are streamed batch by batch:
FID keeps float64 running sums (memory independent of the number of images),
KID and precision/recall keep the first `max_features` feature vectors, SWD
the patch descriptors of the first `swd_images` images.
"""

import hashlib
import json
import os
import re

import numpy as np

from kerasgan.metrics.extractors import NOT_PROBABILITIES, as_extractor
from kerasgan.metrics.fid import GaussianStats, fid, kid
from kerasgan.metrics.inception import InceptionScoreAccumulator
from kerasgan.metrics.precision_recall import precision_recall
from kerasgan.metrics.swd import PatchDescriptors, iterate_batches, sliced_wasserstein
from kerasgan.utils.progress import progress_bar

METRICS = ("fid", "kid", "is", "swd", "pr")
_FEATURE_METRICS = {"fid", "kid", "pr"}
CACHE_VERSION = 2


def parse_metrics(metrics):
    """A tuple of metric names from "fid,kid" or a list; ValueError for unknown names."""
    if isinstance(metrics, str):
        metrics = [m for m in metrics.split(",")]
    names = [str(m).strip().lower() for m in metrics]
    unknown = [m for m in names if m not in METRICS]
    if unknown or not names:
        raise ValueError(
            f"Unknown metric {', '.join(map(repr, unknown)) or '(none given)'}; choose from {', '.join(METRICS)}."
        )
    return tuple(dict.fromkeys(names))


def default_cache_dir():
    """$KERASGAN_CACHE, else ~/.cache/kerasgan: where real-data statistics are cached."""
    return os.environ.get("KERASGAN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "kerasgan")


def _take(images, limit, batch_size):
    """Batches of `images` (array or iterable of batches) up to `limit` images in all."""
    seen = 0
    for batch in iterate_batches(images, batch_size):
        batch = np.asarray(batch, np.float32)[: limit - seen]
        if len(batch):
            yield batch
        seen += len(batch)
        if seen >= limit:
            return


class Evaluator:
    """Computes FID, KID, IS, SWD and precision/recall of generated images against real ones.

    Args:
        real: real images in [-1, 1]: an array (n, H, W, C), a
            `tf.data.Dataset` or any iterable of batches (`(images, labels)`
            batches are fine). None when only "is" is asked for.
        metrics: names from `METRICS` ("fid", "kid", "is", "swd", "pr"), a
            list or a comma-separated string.
        extractor: an `Extractor`, a Keras model or a `.keras` path (see
            `kerasgan.metrics.extractors` for the input convention). None
            builds `inception_v3("imagenet")` when a metric needs features
            (downloads the weights once). SWD needs no extractor.
        num_samples: generated images scored, and real images read at most.
        batch_size: images generated and extracted at a time.
        seed: seed of the generated latents, the KID subsets and SWD.
        cache_dir: folder for the real-data statistics cache; None disables it.
        data_key: what identifies the real data in the cache key (e.g. the
            data set's path and image size); required for caching.
        max_features: feature vectors kept per set for KID and precision/recall.
        kid_subsets, kid_subset_size: KID's subsets (100 × 1000 in the paper).
        is_splits: splits of the Inception Score (10 in the paper).
        swd_images, swd_patches: images per set, and patches per image and
            level, for SWD.
        pr_k: neighbourhood size of precision/recall (3 in the paper).

    Example:
        evaluator = Evaluator(real_images, "fid,kid", extractor=my_model, num_samples=5000)
        print(evaluator.score(gan))      # {"fid": ..., "kid": ..., "kid_std": ...}
    """

    def __init__(
        self,
        real,
        metrics=("fid",),
        extractor=None,
        num_samples=10_000,
        batch_size=100,
        seed=0,
        cache_dir=None,
        data_key=None,
        max_features=10_000,
        kid_subsets=100,
        kid_subset_size=1000,
        is_splits=10,
        swd_images=4096,
        swd_patches=16,
        pr_k=3,
    ):
        self.metrics = parse_metrics(metrics)
        if int(num_samples) < 2:
            raise ValueError(f"num_samples must be at least 2; got {num_samples}.")
        self.num_samples = int(num_samples)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        if "is" in self.metrics and self.num_samples < is_splits:
            raise ValueError(
                f"The Inception Score over {is_splits} splits needs at least {is_splits} samples; got {num_samples}."
            )
        needs_features = bool(_FEATURE_METRICS & set(self.metrics)) or "is" in self.metrics
        if needs_features and extractor is None:
            from kerasgan.metrics.inception import inception_v3

            extractor = inception_v3("imagenet")
        self.extractor = as_extractor(extractor) if needs_features else None
        if real is None and set(self.metrics) - {"is"}:
            raise ValueError(
                f"The metrics {', '.join(m for m in self.metrics if m != 'is')} compare with real images; pass them."
            )
        self.real = real
        self.cache_dir = cache_dir
        self.data_key = data_key
        self.keep = min(int(max_features), self.num_samples) if {"kid", "pr"} & set(self.metrics) else 0
        self.kid_subsets, self.kid_subset_size = int(kid_subsets), int(kid_subset_size)
        self.is_splits = int(is_splits)
        self.swd_images, self.swd_patches = min(int(swd_images), self.num_samples), int(swd_patches)
        self.pr_k = int(pr_k)
        self.real_stats = None
        self.real_descriptors = None
        self.cache_path = None
        self.cache_hit = False

    @property
    def settings(self):
        """What the scores depend on, for the record."""
        out = {"metrics": list(self.metrics), "num_samples": self.num_samples, "seed": self.seed}
        if self.extractor is not None:
            out["extractor"] = json.loads(self.extractor.identity)
        if "kid" in self.metrics:
            out["kid"] = {
                "subsets": self.kid_subsets,
                "subset_size": min(self.kid_subset_size, self.keep),
                "kernel": "(x.y/d + 1)^3",
                "features": self.keep,
            }
        if "is" in self.metrics:
            out["is"] = {"splits": self.is_splits}
        if "swd" in self.metrics:
            out["swd"] = {
                "images": self.swd_images,
                "patches_per_image": self.swd_patches,
                "patch_size": 7,
                "directions": 512,
                "unit": "1e-3",
            }
        if "pr" in self.metrics:
            out["pr"] = {"k": self.pr_k, "features": self.keep}
        if self.real_stats is not None:
            out["real_images"] = self.real_stats.count
        if self.cache_path:
            out["real_statistics_cache"] = self.cache_path
        return out

    # ----------------------------------------------------------------- real side
    def _cache_file(self):
        if self.cache_dir is None or self.data_key is None or self.extractor is None:
            return None
        key = json.dumps(
            {
                "data": self.data_key,
                "num": self.num_samples,
                "keep": self.keep,
                "extractor": self.extractor.identity,
                "version": CACHE_VERSION,
            },
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha1(key.encode()).hexdigest()[:16]
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.basename(str(self.data_key).rstrip("/")))[:40] or "data"
        return os.path.join(self.cache_dir, f"{name}-{digest}.npz")

    def prepare(self):
        """Reads the real images once (statistics from the cache when there); idempotent."""
        if self.real_stats is not None or self.real is None:
            return self
        need_features = self.extractor is not None and bool(_FEATURE_METRICS & set(self.metrics))
        self.cache_path = self._cache_file() if need_features else None
        if self.cache_path and os.path.exists(self.cache_path):
            with np.load(self.cache_path) as arrays:
                self.real_stats = GaussianStats.from_arrays(arrays)
            self.cache_hit = True
        need_stream = (need_features and self.real_stats is None) or "swd" in self.metrics
        if not need_stream:
            return self
        stats = GaussianStats(keep=self.keep) if need_features and self.real_stats is None else None
        descriptors = PatchDescriptors(self.swd_patches, seed=self.seed) if "swd" in self.metrics else None
        seen = 0
        bar = progress_bar(self.num_samples, label=f"Reading up to {self.num_samples} real images")
        for batch in _take(self.real, self.num_samples, self.batch_size):
            bar.add(len(batch))
            if stats is not None:
                self.extractor.check_images(batch.shape[1:])
                for i in range(0, len(batch), self.extractor.batch_size):
                    stats.update(self.extractor.outputs(batch[i : i + self.extractor.batch_size])["features"])
            if descriptors is not None and seen < self.swd_images:
                descriptors.update(batch[: self.swd_images - seen])
            seen += len(batch)
        if seen < 2:
            raise ValueError(f"The real data gave {seen} images; at least 2 are needed.")
        if stats is not None:
            self.real_stats = stats
            if self.cache_path:
                from kerasgan.utils.io import atomic_path

                with atomic_path(self.cache_path) as tmp:
                    np.savez(tmp, **stats.to_arrays())
        self.real_descriptors = descriptors
        return self

    # ----------------------------------------------------------------- fake side
    def _generated_batches(self, fake):
        # A kerasgan model, or any object with generate(n, seed=...) (the protocol the docstring names).
        if callable(getattr(fake, "generate", None)):
            for index, start in enumerate(range(0, self.num_samples, self.batch_size)):
                n = min(self.batch_size, self.num_samples - start)
                yield np.asarray(fake.generate(n, seed=self.seed * 1_000_003 + index), np.float32)
        else:
            yield from _take(fake, self.num_samples, self.batch_size)

    def score(self, fake):
        """Scores a generator (a model with `generate`) or generated images; returns a dict of numbers.

        Keys: "fid"; "kid" and "kid_std"; "is" and "is_std"; "swd" and
        "swd_levels"; "precision" and "recall" (for "pr").
        """
        self.prepare()
        metrics = set(self.metrics)
        stats = GaussianStats(keep=self.keep) if _FEATURE_METRICS & metrics else None
        expected = self.num_samples
        if isinstance(fake, np.ndarray):
            expected = min(len(fake), expected)
        inception = InceptionScoreAccumulator(expected, self.is_splits) if "is" in metrics else None
        descriptors = PatchDescriptors(self.swd_patches, seed=self.seed) if "swd" in metrics else None
        seen = 0
        bar = progress_bar(expected, label=f"Scoring {expected} generated images")
        for batch in self._generated_batches(fake):
            bar.add(len(batch))
            if self.extractor is not None:
                self.extractor.check_images(batch.shape[1:])
                for i in range(0, len(batch), self.extractor.batch_size):
                    out = self.extractor.outputs(batch[i : i + self.extractor.batch_size])
                    if stats is not None:
                        stats.update(out["features"])
                    if inception is not None:
                        if out["probabilities"] is None:
                            raise ValueError(NOT_PROBABILITIES.format(name=self.extractor.name))
                        inception.update(out["probabilities"])
            if descriptors is not None and seen < self.swd_images:
                descriptors.update(batch[: self.swd_images - seen])
            seen += len(batch)
        if seen < 2:
            raise ValueError(f"Got {seen} generated images; at least 2 are needed.")
        if inception is not None and seen != expected:
            raise ValueError(
                f"Got {seen} generated images for the Inception Score, expected {expected}; "
                "pass num_samples equal to the number of images."
            )
        results = {}
        if "fid" in metrics:
            results["fid"] = fid(self.real_stats, stats)
        if "kid" in metrics:
            results["kid"], results["kid_std"] = kid(
                self.real_stats.features, stats.features, self.kid_subsets, self.kid_subset_size, seed=self.seed
            )
        if "is" in metrics:
            results["is"], results["is_std"] = inception.result()
        if "swd" in metrics:
            if self.real_descriptors.image_shape != descriptors.image_shape:
                raise ValueError(
                    f"SWD: real images of shape {self.real_descriptors.image_shape}, generated "
                    f"{descriptors.image_shape}; load the data at the generator's size."
                )
            levels = [
                1e3 * sliced_wasserstein(a, b, seed=self.seed + level)
                for level, (a, b) in enumerate(zip(self.real_descriptors.descriptors(), descriptors.descriptors()))
            ]
            results["swd"], results["swd_levels"] = float(np.mean(levels)), levels
        if "pr" in metrics:
            results.update(precision_recall(self.real_stats.features, stats.features, k=self.pr_k))
        return results


def evaluate(fake, real, metrics=("fid",), **kwargs):
    """One-shot `Evaluator(real, metrics, **kwargs).score(fake)`.

    Example:
        scores = kerasgan.metrics.evaluate(gan, real_images, "fid,swd", extractor=my_model, num_samples=5000)
    """
    return Evaluator(real, metrics, **kwargs).score(fake)
