"""The generator's exponential moving average, which `generate()` samples from."""

import math

import keras
from keras import ops

from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


@register("ema")
class GeneratorEMA(Part):
    """θ_ema ← β·θ_ema + (1 - β)·θ after every generator update, for every generator of the model.

    BatchNorm statistics are averaged too. Sampling (`generate()`,
    `translate()`) uses the averages; training uses the raw weights.

    With a ramp-up r (StyleGAN2-ADA's 0.05) the average's half-life, in
    generator steps, is capped at r·t after t steps: h = ln ½ / ln β, and
    β_t = ½^(1 / min(h, r·t)), so that early on the average follows the
    generator closely instead of holding its random initialization for
    thousands of steps (the paper's ema_nimg = min(ema_nimg, r·cur_nimg)).

    Args:
        decay: β in (0, 1), e.g. 0.999.
        rampup: r > 0, or None for a constant β.

    References:
        Yazıcı et al., The Unusual Effectiveness of Averaging in GAN Training, ICLR 2019.
        https://arxiv.org/abs/1806.04498
        Karras et al., Progressive Growing of GANs, ICLR 2018.
    """

    kind = "ema"
    remedies = {"oscillation": "sample from a moving average of the generator with ema=GeneratorEMA(0.999)"}

    def __init__(self, decay=0.999, rampup=None, **kwargs):
        super().__init__(**kwargs)
        decay = checks.positive("GeneratorEMA", "decay", decay)
        if not decay < 1.0:
            raise ValueError(f"GeneratorEMA: decay must be in (0, 1), e.g. 0.999; got {decay!r}.")
        self.decay = decay
        self.rampup = None if rampup is None else checks.positive("GeneratorEMA", "rampup", rampup)

    def current_decay(self, model):
        """β at this generator step (after its update): `decay`, or its ramped-up value."""
        if self.rampup is None:
            return self.decay
        half_life = math.log(0.5) / math.log(self.decay)
        steps = ops.cast(model.g_optimizer.iterations, "float32")
        return ops.power(0.5, 1.0 / ops.maximum(ops.minimum(half_life, self.rampup * steps), 1e-8))

    def attach(self, model, seed=None):
        self.averages = []
        for network in model.generator_networks():
            average = keras.models.clone_model(network)
            average.set_weights(network.get_weights())
            self.averages.append(average)
        self._index = {id(network): i for i, network in enumerate(model.generator_networks())}
        super().attach(model, seed)

    def average_of(self, network):
        """The moving average of one of the model's generators."""
        return self.averages[self._index[id(network)]]

    def after_generator_update(self, model):
        decay = self.current_decay(model)
        for network, average in zip(model.generator_networks(), self.averages):
            for a, w in zip(average.weights, network.weights):
                a.assign(decay * a + (1.0 - decay) * keras.ops.cast(w, a.dtype))

    def get_config(self):
        return {**super().get_config(), "decay": self.decay, "rampup": self.rampup}
