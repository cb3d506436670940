"""Extra objectives of the generator side beyond the adversarial loss: reconstruction terms of translation.

An objective adds a named, weighted term to the generator's loss
(`generator_terms(model, batch)`), logged under its name. It may run the
model's networks itself (inside the generator's tape): CycleGAN's cycle and
identity terms do, through the public `translation_network(direction)`.
Each states the kind of data it makes sense on (`data_kinds`, matched
against the model's `data_kind`), so that an L1 term on a CycleGAN, or a
cycle term on a pix2pix, fails when the model is built instead of computing
a meaningless number. Later families plug in the same way (SRGAN's
perceptual loss).
"""

from kerasgan import losses as formulas
from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


class Objective(Part):
    """Base of the generator's extra terms: a weight and the kinds of data the term is defined on."""

    kind = "objective"
    #: the model `data_kind`s the term is defined on
    data_kinds = ()

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative(type(self).__name__, "weight", weight)

    def attach(self, model, seed=None):
        if model.data_kind not in self.data_kinds:
            raise ValueError(
                f"{type(self).__name__} is a term of models trained on {' or '.join(self.data_kinds)}, but "
                f"{type(model).__name__} trains on {model.data_kind}; drop it from objectives=."
            )
        super().attach(model, seed)

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register("l1")
class L1Reconstruction(Objective):
    """pix2pix's λ·E‖y - G(x)‖₁ between the target and the translation; logged as "g_l1" (weighted).

    Args:
        weight: λ (100 in the paper).

    Reference:
        Isola et al., Image-to-Image Translation with Conditional Adversarial
        Networks, CVPR 2017, Eq. 3-4. https://arxiv.org/abs/1611.07004
    """

    g_terms = ("g_l1",)
    # batch.real is the target of batch.fake only when the data are pairs
    data_kinds = ("paired_images",)

    def __init__(self, weight=100.0, **kwargs):
        super().__init__(weight=weight, **kwargs)

    def generator_terms(self, model, batch):
        return {"g_l1": self.weight * formulas.l1_loss(batch.real, batch.fake)}


@register("cycle")
class CycleConsistency(Objective):
    """CycleGAN's λ·(E‖F(G(a)) - a‖₁ + E‖G(F(b)) - b‖₁); logged as "cycle_loss" (weighted).

    Runs the two generators on the translations of the step (batch.real =
    (a, b), batch.fake = (F(b), G(a))).

    Args:
        weight: λ (10 in the paper).

    Reference:
        Zhu et al., Unpaired Image-to-Image Translation using Cycle-Consistent
        Adversarial Networks, ICCV 2017, Eq. 2. https://arxiv.org/abs/1703.10593
    """

    g_terms = ("cycle_loss",)
    data_kinds = ("unpaired_images",)

    def __init__(self, weight=10.0, **kwargs):
        super().__init__(weight=weight, **kwargs)

    def generator_terms(self, model, batch):
        (real_a, real_b), (fake_a, fake_b) = batch.real, batch.fake
        cycled_a = model.translation_network("b2a")(fake_b, training=True)
        cycled_b = model.translation_network("a2b")(fake_a, training=True)
        return {"cycle_loss": self.weight * formulas.cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b)}


@register("identity")
class Identity(Objective):
    """CycleGAN's identity term w·(E‖F(a) - a‖₁ + E‖G(b) - b‖₁); logged as "identity_loss" (weighted).

    Each generator, fed an image of its own target domain, should return it
    unchanged; the paper uses w = 0.5·λ = 5 for photo↔painting.

    Args:
        weight: w.

    Reference:
        Zhu et al. 2017, Section 5.2, after Taigman et al. 2017. https://arxiv.org/abs/1703.10593
    """

    g_terms = ("identity_loss",)
    data_kinds = ("unpaired_images",)

    def __init__(self, weight=5.0, **kwargs):
        super().__init__(weight=weight, **kwargs)

    def generator_terms(self, model, batch):
        real_a, real_b = batch.real
        same_a = model.translation_network("b2a")(real_a, training=True)
        same_b = model.translation_network("a2b")(real_b, training=True)
        return {"identity_loss": self.weight * formulas.identity_loss(real_a, same_a, real_b, same_b)}
