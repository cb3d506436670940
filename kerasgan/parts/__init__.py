"""The parts a training step is assembled from: losses, target transforms, augmentations, regularizers,
constraints, the generator's moving average and extra objectives.

Each part is a small serializable object that owns its state, validates its
arguments, is logged under its own name and says what Diagnostics should
advise about it. A model takes them as constructor arguments:

```python
from kerasgan.parts import R1, DiffAugment, GeneratorEMA

gan = kerasgan.models.DCGAN.for_images(
    (64, 64, 3), loss="hinge", regularizers=[R1(10, interval=16)],
    augment=DiffAugment("color,translation"), ema=GeneratorEMA(0.999))
```

Names given as strings (`loss="hinge"`, `regularizers=["r1"]`) resolve
through the registry (`kerasgan.parts.get`), as `keras.optimizers.get` does.
"""

from kerasgan.parts.augment import ADA, Augmentation, DiffAugment, Diffusion, InstanceNoise, PacGAN
from kerasgan.parts.ema import GeneratorEMA
from kerasgan.parts.losses import (
    AdversarialLoss,
    BoundaryEquilibrium,
    EnergyMargin,
    FDivergence,
    FeatureMatching,
    Hinge,
    LeastSquares,
    Minimax,
    NonSaturating,
    Relativistic,
    Wasserstein,
)
from kerasgan.parts.objectives import CycleConsistency, Identity, L1Reconstruction, Objective, Perceptual
from kerasgan.parts.part import CriticView, Part, StepBatch, replica_random
from kerasgan.parts.registry import KINDS, get, get_list, lookup, names, register, registered
from kerasgan.parts.regularizers import (
    DRAGAN,
    R1,
    Drift,
    GradientPenalty,
    HistoricalAverage,
    PathLength,
    PullingAway,
    Regularizer,
    WeightClip,
)
from kerasgan.parts.targets import LabelFlip, LabelNoise, LabelSmoothing, TargetTransform

__all__ = [
    "ADA",
    "DRAGAN",
    "Drift",
    "KINDS",
    "R1",
    "AdversarialLoss",
    "Augmentation",
    "BoundaryEquilibrium",
    "CriticView",
    "CycleConsistency",
    "DiffAugment",
    "EnergyMargin",
    "Diffusion",
    "FDivergence",
    "FeatureMatching",
    "GeneratorEMA",
    "GradientPenalty",
    "Hinge",
    "HistoricalAverage",
    "Identity",
    "InstanceNoise",
    "L1Reconstruction",
    "LabelFlip",
    "LabelNoise",
    "LabelSmoothing",
    "LeastSquares",
    "Minimax",
    "NonSaturating",
    "Objective",
    "PacGAN",
    "PathLength",
    "Part",
    "PullingAway",
    "Perceptual",
    "Regularizer",
    "Relativistic",
    "StepBatch",
    "TargetTransform",
    "Wasserstein",
    "WeightClip",
    "get",
    "get_list",
    "lookup",
    "names",
    "register",
    "registered",
    "replica_random",
]
