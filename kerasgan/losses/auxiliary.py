"""Losses of auxiliary discriminator heads: ACGAN's classifier and InfoGAN's Q network.

Pure functions in `keras.ops`; each returns the batch mean as a float32 scalar.
"""

from keras import ops

from kerasgan.losses.adversarial import global_batch_mean


def class_loss(class_logits, labels):
    """Cross-entropy −log P(C = c | X) of the true classes, averaged over the batch.

    ACGAN's class log-likelihood L_C with the sign turned into a loss: the
    discriminator minimizes it on real and generated images, the generator on
    generated ones (Odena et al. 2017, eq. 2).

    Args:
        class_logits: (batch, K) unnormalized class scores.
        labels: (batch,) integer classes in [0, K).

    Reference:
        Odena, Olah, Shlens, Conditional Image Synthesis with Auxiliary
        Classifier GANs, ICML 2017. https://arxiv.org/abs/1610.09585
    """
    class_logits = ops.cast(class_logits, "float32")
    # One-hot targets rather than a gather: an out-of-range label then costs 0
    # instead of failing on the CPU and reading garbage on a GPU; the models
    # report such labels themselves.
    targets = ops.one_hot(ops.reshape(ops.cast(labels, "int32"), (-1,)), ops.shape(class_logits)[-1])
    return ops.mean(ops.categorical_crossentropy(targets, class_logits, from_logits=True))


def labelled_class_loss(class_logits, labels, unlabelled=-1):
    """Cross-entropy −log q(y = c | x) averaged over the rows that have a label; a row labelled `unlabelled` adds nothing.

    The semi-supervised classification phase of the adversarial autoencoder
    (Makhzani et al. 2016, §5) on a batch of labelled and unlabelled images;
    0 for a batch without a labelled row. The mean is over the labelled rows
    of the global batch (`global_batch_mean` of the terms and of the count),
    so under tf.distribute, where one replica's slice may hold most of them,
    it is the one-device value.

    Args:
        class_logits: (batch, K) unnormalized class scores.
        labels: (batch,) integer classes in [0, K), or `unlabelled`.
        unlabelled: the label of an unlabelled row (`kerasgan.data.UNLABELLED`).

    Reference:
        Makhzani, Shlens, Jaitly, Goodfellow, Frey, Adversarial Autoencoders,
        ICLR 2016 workshop. https://arxiv.org/abs/1511.05644
    """
    class_logits = ops.cast(class_logits, "float32")
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    labelled = ops.cast(ops.not_equal(labels, unlabelled), "float32")
    # One-hot targets, as class_loss: an out-of-range label costs 0 rather than failing mid-graph.
    targets = ops.one_hot(labels, ops.shape(class_logits)[-1]) * labelled[:, None]
    terms = ops.categorical_crossentropy(targets, class_logits, from_logits=True)
    return global_batch_mean(terms) / ops.maximum(global_batch_mean(labelled), 1e-12)


def categorical_code_loss(code_logits, codes_one_hot, sizes):
    """−E log Q(c | x) of categorical codes: the sum over codes of each code's cross-entropy.

    Args:
        code_logits: (batch, ΣK) logits of all categorical codes side by side.
        codes_one_hot: (batch, ΣK) the one-hot codes the generator was fed.
        sizes: the category count K of each code, in order.

    Reference:
        Chen et al., InfoGAN, NeurIPS 2016, eq. 4 (the L_I lower bound, up to
        the code entropy H(c), a constant). https://arxiv.org/abs/1606.03657
    """
    code_logits = ops.cast(code_logits, "float32")
    codes_one_hot = ops.cast(codes_one_hot, "float32")
    total, start = 0.0, 0
    for size in sizes:
        logits = code_logits[:, start : start + size]
        target = codes_one_hot[:, start : start + size]
        total = total + ops.mean(ops.categorical_crossentropy(target, logits, from_logits=True))
        start += size
    return total


def continuous_code_loss(predicted_means, codes):
    """−E log Q(c | x) of continuous codes under a unit-variance factored Gaussian Q, less ½·log 2π per code.

    That is ½·Σ_j (c_j − μ_j(x))², averaged over the batch: InfoGAN treats
    continuous codes with a factored Gaussian Q; the unit variance follows the
    paper's released code (a fixed standard deviation).

    Reference:
        Chen et al., InfoGAN, NeurIPS 2016. https://arxiv.org/abs/1606.03657
    """
    diff = ops.cast(codes, "float32") - ops.cast(predicted_means, "float32")
    return ops.mean(0.5 * ops.sum(ops.square(diff), axis=-1))
