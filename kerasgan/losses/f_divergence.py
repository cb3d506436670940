"""The f-GAN variational divergence objective (Nowozin, Cseke & Tomioka 2016), on discriminator outputs V(x).

For a convex f with f(1) = 0, D_f(P‖Q) = ∫ q f(p/q) is bounded below by
F = E_P[T(x)] − E_Q[f*(T(x))], where f* is the Fenchel conjugate of f, with
equality at T*(x) = f'(p(x)/q(x)). The discriminator outputs an unbounded V(x)
and T = g_f(V) maps it into the domain of f* (the paper's Table 2):

| divergence | g_f(v) | f*(t) | f*(g_f(v)) |
| --- | --- | --- | --- |
| kl (Kullback–Leibler) | v | exp(t − 1) | exp(v − 1) |
| reverse_kl | −exp(−v) | −1 − log(−t) | v − 1 |
| pearson (χ²) | v | t²/4 + t | v²/4 + v |
| neyman (χ²) | 1 − exp(−v) | 2 − 2√(1 − t) | 2 − 2 exp(−v/2) |
| squared_hellinger | 1 − exp(−v) | t / (1 − t) | exp(v) − 1 |
| jensen_shannon | log 2 − log(1 + exp(−v)) | −log(2 − exp(t)) | softplus(v) − log 2 |
| total_variation | ½ tanh(v) | t | ½ tanh(v) |
| gan | −log(1 + exp(−v)) | −log(1 − exp(t)) | softplus(v) |

(The paper's Jensen–Shannon f, −(u + 1) log((1 + u)/2) + u log u, is twice the
usual JSD; its GAN f gives 2·JSD − log 4.)

The losses use the last column, simplified by hand, rather than f* applied to
g_f(v): f* has a bounded domain for most divergences and g_f(v) rounds onto its
edge (1 − exp(−v) = 1 in float32 for v > 17), where f* is infinite. The
simplified forms are finite for every finite v; the exponentials grow linearly
beyond exp(30) (exp(10) for float16 logits; value and slope continuous) and V is
clipped to ±1e6 (±1e4), so no float32 or float16 logit gives inf or NaN in a
loss or its gradient.
"""

import math

import keras
from keras import ops

DIVERGENCES = (
    "kl",
    "reverse_kl",
    "pearson",
    "neyman",
    "squared_hellinger",
    "jensen_shannon",
    "total_variation",
    "gan",
)

_LOG2 = math.log(2.0)
# Beyond exp(cap) the exponential continues as its tangent line, and |V| is clipped: larger
# logits carry no information, and this keeps v², the tangent line and the gradients (cast
# back to the logits' dtype) finite. float16 gradients must stay below 65504.
_LIMITS = {"float16": (10.0, 1e4)}
_DEFAULT_LIMITS = (30.0, 1e6)


def _prepare(v):
    """(v as float32 clipped to the dtype's range, the exponential's cap for that dtype)."""
    cap, v_max = _LIMITS.get(keras.backend.standardize_dtype(getattr(v, "dtype", "float32")), _DEFAULT_LIMITS)
    return ops.clip(ops.cast(v, "float32"), -v_max, v_max), cap


def _safe_exp(x, cap):
    """exp(x) up to x = cap, its tangent line exp(cap)·(1 + x − cap) beyond: finite, with a finite gradient."""
    return ops.exp(ops.minimum(x, cap)) * (1.0 + ops.maximum(x - cap, 0.0))


def check_divergence(divergence):
    """`divergence` if it is one of `DIVERGENCES`; a clear error naming them otherwise."""
    return divergence if divergence in DIVERGENCES else _unknown(divergence)


def _unknown(divergence):
    raise ValueError(f"Unknown f-divergence {divergence!r}; choose one of: {', '.join(DIVERGENCES)}.")


def activation(divergence, v):
    """g_f(v): the discriminator's output V mapped into the domain of f* (Table 2 of the paper)."""
    v, cap = _prepare(v)
    if divergence in ("kl", "pearson"):
        return v
    if divergence == "reverse_kl":
        return -_safe_exp(-v, cap)
    if divergence in ("neyman", "squared_hellinger"):
        return 1.0 - _safe_exp(-v, cap)
    if divergence == "jensen_shannon":
        return _LOG2 - ops.softplus(-v)
    if divergence == "total_variation":
        return 0.5 * ops.tanh(v)
    if divergence == "gan":
        return -ops.softplus(-v)
    return _unknown(divergence)


def conjugate(divergence, t):
    """f*(t), the Fenchel conjugate as the paper's table writes it (inf/NaN outside its domain); for checks and plots."""
    t = ops.cast(t, "float32")
    if divergence == "kl":
        return ops.exp(t - 1.0)
    if divergence == "reverse_kl":
        return -1.0 - ops.log(-t)
    if divergence == "pearson":
        return 0.25 * t * t + t
    if divergence == "neyman":
        return 2.0 - 2.0 * ops.sqrt(1.0 - t)
    if divergence == "squared_hellinger":
        return t / (1.0 - t)
    if divergence == "jensen_shannon":
        return -ops.log(2.0 - ops.exp(t))
    if divergence == "total_variation":
        return t
    if divergence == "gan":
        return -ops.log(1.0 - ops.exp(t))
    return _unknown(divergence)


def conjugate_of_activation(divergence, v):
    """f*(g_f(v)) in a form that is finite for every v (the last column of the module's table)."""
    v, cap = _prepare(v)
    if divergence == "kl":
        return _safe_exp(v - 1.0, cap)
    if divergence == "reverse_kl":
        return v - 1.0
    if divergence == "pearson":
        return 0.25 * v * v + v
    if divergence == "neyman":
        return 2.0 - 2.0 * _safe_exp(-0.5 * v, cap)
    if divergence == "squared_hellinger":
        return _safe_exp(v, cap) - 1.0
    if divergence == "jensen_shannon":
        return ops.softplus(v) - _LOG2
    if divergence == "total_variation":
        return 0.5 * ops.tanh(v)
    if divergence == "gan":
        return ops.softplus(v)
    return _unknown(divergence)


def variational_bound(divergence, real_outputs, fake_outputs):
    """F = E_P[g_f(V(x))] − E_Q[f*(g_f(V(x)))], the lower bound on D_f(P‖Q) the discriminator maximizes (Eq. 6)."""
    return ops.mean(activation(divergence, real_outputs)) - ops.mean(conjugate_of_activation(divergence, fake_outputs))


def f_discriminator_loss(divergence, real_outputs, fake_outputs):
    """−F: the discriminator maximizes the variational bound."""
    return -variational_bound(divergence, real_outputs, fake_outputs)


def f_generator_loss(divergence, fake_outputs, alternative=False):
    """The generator's loss: the saddle point's −E_Q[f*(g_f(V))] (it minimizes F), or the alternative −E_Q[g_f(V)].

    The alternative (Section 3.2 of the paper) maximizes E_Q[g_f(V(G(z)))]
    instead, the analogue of Goodfellow et al.'s non-saturating generator loss.
    """
    if alternative:
        return -ops.mean(activation(divergence, fake_outputs))
    return -ops.mean(conjugate_of_activation(divergence, fake_outputs))
