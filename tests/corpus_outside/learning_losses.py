"""Training losses and small models as machine-learning code writes them: np.logaddexp and
np.log1p(np.exp(...)), max-subtracted softmax with keepdims, np.maximum(0, ...) hinges and ReLUs,
np.where with a scalar arm, np.clip of probabilities, broadcasting with `[:, None]`, kernels built
from squared norms, recurrent cells `np.tanh(Wh @ h + Wx @ xs[t])` in a loop, layers stacked in a
3-D array, activation helpers called with arrays. Written for this held-out corpus."""

import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_logaddexp(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z))


def logistic_log1p(w, X, y):
    return np.sum(np.log1p(np.exp(-y * (X @ w))))


def hinge_mean(w, X, y):
    return np.mean(np.maximum(0, 1 - y * X.dot(w)))


def softmax_cross_entropy_keepdims(W, X, Y):
    Z = X @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    log_p = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.sum(Y * log_p) / X.shape[0]


def mlp_two_layer(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - y) ** 2)


def relu_network(W1, w2, X, y):
    h = relu(X @ W1)
    return 0.5 * np.sum((h @ w2 - y) ** 2)


def leaky_relu_loss(w, X, y):
    z = X @ w
    a = np.where(z > 0, z, 0.01 * z)
    return np.sum((a - y) ** 2)


def elastic_net(w, X, y, alpha=0.1, l1_ratio=0.5):
    r = X @ w - y
    return 0.5 * np.linalg.norm(r) ** 2 + alpha * (l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w)


def pinball_loss(pred, target, q=0.7):
    e = target - pred
    return np.mean(np.maximum(q * e, (q - 1) * e))


def focal_loss(w, X, t, gamma=2.0):
    p = sigmoid(X @ w)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(t * (1 - p) ** gamma * np.log(p) + (1 - t) * p ** gamma * np.log(1 - p))


def kl_to_softmax(logits, q):
    e = np.exp(logits - np.max(logits))
    p = e / e.sum()
    return np.sum(q * (np.log(q) - np.log(p)))


def mixture_nll(mu, log_sigma, x):
    s = np.exp(log_sigma)
    d = x[:, None] - mu[None, :]
    log_component = -0.5 * (d / s) ** 2 - log_sigma - 0.5 * np.log(2 * np.pi)
    m = np.max(log_component, axis=1, keepdims=True)
    return -np.sum(m[:, 0] + np.log(np.sum(np.exp(log_component - m), axis=1)))


def kernel_ridge(alpha, X, y, gamma=0.5):
    sq = np.sum(X ** 2, 1)
    K = np.exp(-gamma * (sq[:, None] + sq[None, :] - 2 * X @ X.T))
    r = K @ alpha - y
    return r @ r + 0.1 * alpha @ K @ alpha


def cosine_similarity(u, v):
    return u @ v / (np.linalg.norm(u) * np.linalg.norm(v))


def batch_norm_output(x, gamma, beta):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + 1e-5)
    return np.sum(np.tanh(gamma * x_hat + beta))


def stacked_layers(W, X, y):
    h = X
    for k in range(W.shape[0]):
        h = np.tanh(h @ W[k])
    return np.sum((h[:, 0] - y) ** 2)


def rnn_final_state(Wh, Wx, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t])
    return np.sum(h ** 2)


def gradient_descent_unrolled(w0, X, y, lr=0.1, steps=5):
    w = w0
    for _ in range(steps):
        r = X @ w - y
        w = w - lr * X.T @ r / len(y)
    return np.sum((X @ w - y) ** 2)


def mse_per_sample_loop(w, X, y):
    total = 0.0
    for xi, yi in zip(X, y):
        total += (xi @ w - yi) ** 2
    return total / len(y)


def smooth_l1(pred, target, beta=1.0):
    d = np.abs(pred - target)
    return np.sum(np.where(d < beta, 0.5 * d ** 2 / beta, d - 0.5 * beta))


def softplus_of_logits(z):
    return np.sum(np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0))
