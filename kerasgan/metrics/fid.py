"""Fréchet Inception Distance and Kernel Inception Distance on feature vectors.

Both compare two sets of features (usually the pool features of an image
network, see `kerasgan.metrics.extractors`). FID needs only the mean and
covariance of each set, which `GaussianStats` accumulates batch by batch in
float64, so the number of samples is limited by time, not memory. KID needs
the features themselves (it averages over random subsets), so it is given
arrays; `GaussianStats(keep=K)` keeps the first K features for it.
"""

import numpy as np


class GaussianStats:
    """Running mean and covariance of feature vectors, accumulated in float64.

    Holds the count, the sum and the sum of outer products, so memory is
    `O(d²)` whatever the number of samples, and the result does not depend on
    how the samples were split into batches. The sums are taken around the
    first batch's mean, so features with a large mean and a small spread do
    not lose their covariance to cancellation.

    Args:
        keep: also keep the first `keep` feature vectors (float32) in
            `features`, for metrics that need samples (KID, precision/recall).

    Example:
        stats = GaussianStats()
        for batch in batches:
            stats.update(extractor.features(batch))
        mu, sigma = stats.mean, stats.covariance
    """

    def __init__(self, keep=0):
        if isinstance(keep, bool) or int(keep) < 0:
            raise ValueError(f"keep must be an int >= 0; got {keep!r}.")
        self.keep = int(keep)
        self.count = 0
        self._sum = None
        self._outer = None
        self._shift = None
        self._kept = []
        self._kept_count = 0

    def update(self, features):
        """Adds a batch of features of shape (n, d)."""
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"Features must have shape (n, d); got {x.shape}.")
        if not np.isfinite(x).all():
            raise ValueError("Features contain NaN or infinity (a diverged generator?); they cannot be scored.")
        if self._sum is None:
            self._shift = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
            self._sum = np.zeros(x.shape[1])
            self._outer = np.zeros((x.shape[1], x.shape[1]))
        elif x.shape[1] != self._sum.shape[0]:
            raise ValueError(f"Features of size {x.shape[1]} added to statistics of size {self._sum.shape[0]}.")
        self.count += len(x)
        x = x - self._shift
        self._sum += x.sum(axis=0)
        self._outer += x.T @ x
        if self._kept_count < self.keep:
            part = np.asarray(features, dtype=np.float32)[: self.keep - self._kept_count]
            self._kept.append(part.copy())
            self._kept_count += len(part)
        return self

    @property
    def dim(self):
        return None if self._sum is None else self._sum.shape[0]

    @property
    def mean(self):
        self._check_count(1)
        return self._shift + self._sum / self.count

    @property
    def covariance(self):
        """The unbiased sample covariance (divided by n - 1), as `np.cov`."""
        self._check_count(2)
        centred = self._sum / self.count  # mean - shift
        return (self._outer - self.count * np.outer(centred, centred)) / (self.count - 1)

    @property
    def features(self):
        """The kept features, float32 (min(keep, count), d)."""
        if not self._kept:
            return np.zeros((0, self.dim or 0), np.float32)
        return np.concatenate(self._kept)

    def _check_count(self, minimum):
        if self.count < minimum:
            raise ValueError(f"Statistics of {self.count} samples; at least {minimum} are needed.")

    def to_arrays(self):
        """The state as a dict of arrays (for `np.savez`)."""
        self._check_count(1)
        return {
            "count": np.int64(self.count),
            "shift": self._shift,
            "sum": self._sum,
            "outer": self._outer,
            "features": self.features,
        }

    @classmethod
    def from_arrays(cls, arrays):
        """Rebuilds statistics saved with `to_arrays`."""
        stats = cls(keep=len(arrays["features"]))
        stats.count = int(arrays["count"])
        stats._sum = np.asarray(arrays["sum"], np.float64)
        stats._outer = np.asarray(arrays["outer"], np.float64)
        stats._shift = np.asarray(arrays["shift"], np.float64)
        if len(arrays["features"]):
            stats._kept = [np.asarray(arrays["features"], np.float32)]
            stats._kept_count = len(arrays["features"])
        return stats


def _as_stats(x):
    if isinstance(x, GaussianStats):
        return x.mean, x.covariance
    if isinstance(x, tuple) and len(x) == 2:
        return np.asarray(x[0], np.float64), np.asarray(x[1], np.float64)
    stats = GaussianStats().update(x)
    return stats.mean, stats.covariance


def trace_sqrt_product(sigma1, sigma2):
    """tr(sqrt(Σ1 Σ2)) for symmetric positive semi-definite Σ1, Σ2, in float64.

    Σ1 Σ2 is not symmetric, but it is similar to the symmetric PSD matrix
    M = Σ1^½ Σ2 Σ1^½ (same eigenvalues), so tr sqrt(Σ1 Σ2) = Σ sqrt(eig(M)).
    Two symmetric eigendecompositions, no scipy, no complex numbers; tiny
    negative eigenvalues from round-off are clipped to 0.
    """
    sigma1 = np.asarray(sigma1, np.float64)
    sigma2 = np.asarray(sigma2, np.float64)
    w, v = np.linalg.eigh((sigma1 + sigma1.T) / 2)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = root @ sigma2 @ root
    eig = np.linalg.eigvalsh((m + m.T) / 2)
    return float(np.sqrt(np.clip(eig, 0, None)).sum())


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between N(mu1, Σ1) and N(mu2, Σ2).

    d² = ‖mu1 - mu2‖² + tr(Σ1) + tr(Σ2) - 2 tr(sqrt(Σ1 Σ2)).

    Reference:
        Dowson & Landau, The Fréchet distance between multivariate normal
        distributions, J. Multivariate Analysis 1982.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (mu1.size, mu1.size):
        raise ValueError(
            f"Mismatched statistics: means {mu1.shape} and {mu2.shape}, covariances {sigma1.shape} and "
            f"{sigma2.shape}; both sets must come from the same feature extractor."
        )
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt_product(sigma1, sigma2)
    return float(max(value, 0.0))


def fid(real, fake):
    """Fréchet Inception Distance between two sets of features.

    Each argument is an array of features (n, d), a `GaussianStats`, or a
    `(mean, covariance)` pair. Lower is better; 0 for identical statistics.
    To score images, get features with an extractor first, or use
    `kerasgan.metrics.evaluate`, which streams images batch by batch.

    Example:
        score = fid(real_stats, extractor.features(gan.generate(10000)))

    Reference:
        Heusel et al., GANs Trained by a Two Time-Scale Update Rule Converge to
        a Local Nash Equilibrium, NeurIPS 2017. https://arxiv.org/abs/1706.08500
    """
    mu1, sigma1 = _as_stats(real)
    mu2, sigma2 = _as_stats(fake)
    return frechet_distance(mu1, sigma1, mu2, sigma2)


def polynomial_kernel(x, y):
    """k(x, y) = (x·y / d + 1)³, the cubic kernel of KID."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y, kernel=polynomial_kernel):
    """The unbiased estimate of MMD² between samples x (m, d) and y (n, d).

    MMD²_u = 1/(m(m-1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n-1)) Σ_{i≠j} k(y_i, y_j)
             - 2/(mn) Σ_{i,j} k(x_i, y_j).
    It can be negative when both samples come from one distribution.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError(f"MMD needs at least 2 samples in each set; got {m} and {n}.")
    kxx, kyy, kxy = kernel(x, x), kernel(y, y), kernel(x, y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean()
    )


def kid(real, fake, num_subsets=100, subset_size=1000, seed=0):
    """Kernel Inception Distance: unbiased MMD² with the cubic kernel, over random subsets.

    Draws `num_subsets` pairs of subsets of `subset_size` features (without
    replacement within a subset; smaller sets are used whole) and averages the
    unbiased MMD² estimate. Unlike FID the estimate is unbiased, so it is
    meaningful for small samples, and it can be slightly negative.

    Args:
        real, fake: features, arrays (n, d) (or `GaussianStats` that kept
            features).
        num_subsets: number of subset pairs.
        subset_size: features per subset.
        seed: seed of the subset draws.

    Returns:
        `(mean, std)` of the estimate over the subsets.

    Reference:
        Bińkowski et al., Demystifying MMD GANs, ICLR 2018.
        https://arxiv.org/abs/1801.01401
    """
    real, fake = (x.features if isinstance(x, GaussianStats) else np.asarray(x) for x in (real, fake))
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"KID needs two feature arrays (n, d) of the same d; got {real.shape} and {fake.shape}.")
    size = min(int(subset_size), len(real), len(fake))
    if size < 2:
        raise ValueError(f"KID needs at least 2 features in each set; got {len(real)} and {len(fake)}.")
    rng = np.random.default_rng(seed)
    values = [
        mmd2_unbiased(
            real[rng.choice(len(real), size, replace=False)], fake[rng.choice(len(fake), size, replace=False)]
        )
        for _ in range(int(num_subsets))
    ]
    return float(np.mean(values)), float(np.std(values))
