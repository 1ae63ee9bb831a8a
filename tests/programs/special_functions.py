"""math.erf, math.erfc, math.lgamma and math.gamma as people use them: option prices, the normal
CDF and its log, Student-t, Poisson and Gamma log-likelihoods, a Weibull mean, a Beta function."""

import math
from math import lgamma


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def black_scholes_call(S, K, T, r, sigma):
    d1 = (math.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    return S * normal_cdf(d1) - K * math.exp(-r * T) * normal_cdf(d2)


def normal_log_cdf(x):
    # erfc keeps its relative accuracy far in the left tail, where 1 + erf(x) is all rounding
    return math.log(0.5 * math.erfc(-x / math.sqrt(2.0)))


def probit_nll(w, b, X, y):
    total = 0.0
    for i in range(len(y)):
        z = w[0] * X[i, 0] + w[1] * X[i, 1] + b
        p = 0.5 * math.erfc(-z / math.sqrt(2.0))
        total -= y[i] * math.log(p) + (1.0 - y[i]) * math.log(1.0 - p)
    return total


def student_t_nll(nu, scale, loc, y):
    n = len(y)
    const = math.lgamma((nu + 1.0) / 2.0) - math.lgamma(nu / 2.0) - 0.5 * math.log(nu * math.pi) - math.log(scale)
    total = 0.0
    for i in range(n):
        z = (y[i] - loc) / scale
        total += const - (nu + 1.0) / 2.0 * math.log1p(z * z / nu)
    return -total


def poisson_regression_nll(a, b, x, counts):
    nll = 0.0
    for i in range(len(counts)):
        log_rate = a + b * x[i]
        nll += math.exp(log_rate) - counts[i] * log_rate + math.lgamma(counts[i] + 1.0)
    return nll


def gamma_nll(log_shape, log_rate, y):
    shape = math.exp(log_shape)
    rate = math.exp(log_rate)
    total = 0.0
    for v in y:
        total -= shape * math.log(rate) + (shape - 1.0) * math.log(v) - rate * v - lgamma(shape)
    return total


def weibull_mean_loss(scale, k, target):
    mean = scale * math.gamma(1.0 + 1.0 / k)
    return (mean - target) ** 2


def log_beta(a, b):
    return math.log(math.gamma(a) * math.gamma(b) / math.gamma(a + b))


def reflected(x):
    # negative non-integers: gamma changes sign between the poles, lgamma is log |gamma|
    return math.lgamma(x) + 0.5 * math.gamma(x)


def erf_tails(x):
    return math.erf(x) + math.erfc(x) * x


def lgamma_sum(x):
    total = 0.0
    for i in range(len(x)):
        total += math.lgamma(x[i])
    return total
