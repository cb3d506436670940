"""The generator's exponential moving average, which `generate()` samples from."""

import keras

from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


@register("ema")
class GeneratorEMA(Part):
    """θ_ema ← β·θ_ema + (1 - β)·θ after every generator update, for every generator of the model.

    BatchNorm statistics are averaged too. Sampling (`generate()`,
    `translate()`) uses the averages; training uses the raw weights.

    Args:
        decay: β in (0, 1), e.g. 0.999.

    References:
        Yazıcı et al., The Unusual Effectiveness of Averaging in GAN Training, ICLR 2019.
        https://arxiv.org/abs/1806.04498
        Karras et al., Progressive Growing of GANs, ICLR 2018.
    """

    kind = "ema"
    remedies = {"oscillation": "sample from a moving average of the generator with ema=GeneratorEMA(0.999)"}

    def __init__(self, decay=0.999, **kwargs):
        super().__init__(**kwargs)
        decay = checks.positive("GeneratorEMA", "decay", decay)
        if not decay < 1.0:
            raise ValueError(f"GeneratorEMA: decay must be in (0, 1), e.g. 0.999; got {decay!r}.")
        self.decay = decay

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
        for network, average in zip(model.generator_networks(), self.averages):
            for a, w in zip(average.weights, network.weights):
                a.assign(self.decay * a + (1.0 - self.decay) * keras.ops.cast(w, a.dtype))

    def get_config(self):
        return {**super().get_config(), "decay": self.decay}
