"""Nearest training images of generated samples: is the generator copying its data?

Goodfellow et al. (2014, figure 2) show each sample beside its nearest
training example to show the samples are not memorized.
"""

import numpy as np

from kerasgan.metrics.swd import iterate_batches


def nearest_neighbours(samples, training, k=3, extractor=None, batch_size=256):
    """The k nearest training images of each sample, in pixel or feature space.

    The training set is streamed batch by batch (an array, a `tf.data.Dataset`
    or any iterable of batches), keeping only the k best so far per sample.

    Args:
        samples: generated images (n, H, W, C) in [-1, 1].
        training: training images of the same shape, as above.
        k: neighbours per sample.
        extractor: None for Euclidean distance between pixels, or an
            `Extractor` (or Keras model) for distance between its features.
        batch_size: training images per step, for arrays.

    Returns:
        A dict with `indices` (n, k) into the training stream, `distances`
        (n, k) Euclidean, ascending, and `images` (n, k, H, W, C).
    """
    from kerasgan.metrics.extractors import as_extractor

    samples = np.asarray(samples, np.float32)
    if extractor is not None:
        extractor = as_extractor(extractor)
        embed = extractor.features
    else:
        embed = lambda x: np.asarray(x, np.float32).reshape(len(x), -1)  # noqa: E731
    queries = embed(samples).astype(np.float64)
    n = len(samples)
    best_d = np.full((n, 0), np.inf)
    best_i = np.zeros((n, 0), np.int64)
    best_img = np.zeros((n, 0, *samples.shape[1:]), np.float32)
    seen = 0
    for batch in iterate_batches(training, batch_size):
        batch = np.asarray(batch, np.float32)
        if batch.shape[1:] != samples.shape[1:]:
            raise ValueError(f"Training images of shape {batch.shape[1:]} but samples of shape {samples.shape[1:]}.")
        keys = embed(batch).astype(np.float64)
        d = (queries**2).sum(1)[:, None] + (keys**2).sum(1)[None, :] - 2 * queries @ keys.T
        all_d = np.concatenate([best_d, np.sqrt(np.maximum(d, 0))], axis=1)
        all_i = np.concatenate([best_i, np.broadcast_to(np.arange(seen, seen + len(batch)), (n, len(batch)))], axis=1)
        order = np.argsort(all_d, axis=1, kind="stable")[:, :k]
        rows = np.arange(n)[:, None]
        kept = best_d.shape[1]
        from_batch = batch[np.maximum(order - kept, 0)]
        if kept:
            from_best = best_img[rows, np.minimum(order, kept - 1)]
            from_batch = np.where((order < kept)[..., None, None, None], from_best, from_batch)
        best_d, best_i, best_img = all_d[rows, order], all_i[rows, order], from_batch
        seen += len(batch)
    if seen < k:
        raise ValueError(f"The training set holds {seen} images, fewer than k={k}.")
    return {"indices": best_i, "distances": best_d, "images": best_img}


def neighbours_grid(path, samples, training, k=3, extractor=None, batch_size=256):
    """Writes a grid with one row per sample: the sample, then its k nearest training images.

    Returns the `nearest_neighbours` dict. The PNG is written atomically.

    Example:
        neighbours_grid("logs/run1/neighbours.png", gan.generate(8, seed=0), train_images)
    """
    from kerasgan.callbacks.images import save_image_grid

    result = nearest_neighbours(samples, training, k=k, extractor=extractor, batch_size=batch_size)
    samples = np.asarray(samples, np.float32)
    rows = np.concatenate([samples[:, None], result["images"]], axis=1)
    save_image_grid(path, rows.reshape(-1, *samples.shape[1:]), cols=k + 1)
    return result
