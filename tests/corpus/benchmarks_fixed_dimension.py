"""Fixed-dimension optimization test functions (1-D, 2-D, 3-D, 4-D, 6-D) with their published
constants as module-level arrays. Written the ways users write them: ``x[0], x[1]``,
``x1, x2 = x``, or separate scalar parameters."""

import math

import numpy as np

HARTMANN3_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
HARTMANN3_A = np.array([
    [3.0, 10.0, 30.0],
    [0.1, 10.0, 35.0],
    [3.0, 10.0, 30.0],
    [0.1, 10.0, 35.0],
])
HARTMANN3_P = 1e-4 * np.array([
    [3689, 1170, 2673],
    [4699, 4387, 7470],
    [1091, 8732, 5547],
    [381, 5743, 8828],
])

HARTMANN6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
HARTMANN6_A = np.array([
    [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
    [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
    [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
    [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
])
HARTMANN6_P = 1e-4 * np.array([
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
])

SHEKEL_BETA = 0.1 * np.array([1, 2, 2, 4, 4, 6, 3, 7, 5, 5])
SHEKEL_C = np.array([
    [4.0, 1.0, 8.0, 6.0, 3.0, 2.0, 5.0, 8.0, 6.0, 7.0],
    [4.0, 1.0, 8.0, 6.0, 7.0, 9.0, 3.0, 1.0, 2.0, 3.6],
    [4.0, 1.0, 8.0, 6.0, 3.0, 2.0, 5.0, 8.0, 6.0, 7.0],
    [4.0, 1.0, 8.0, 6.0, 7.0, 9.0, 3.0, 1.0, 2.0, 3.6],
])

LANGERMANN_C = np.array([1.0, 2.0, 5.0, 2.0, 3.0])
LANGERMANN_A = np.array([[3.0, 5.0], [5.0, 2.0], [2.0, 1.0], [1.0, 4.0], [7.0, 9.0]])

BRANIN_A = 1.0
BRANIN_B = 5.1 / (4 * np.pi ** 2)
BRANIN_C = 5 / np.pi
BRANIN_R = 6.0
BRANIN_S = 10.0
BRANIN_T = 1 / (8 * np.pi)


def gramacy_lee(x):
    return math.sin(10 * math.pi * x) / (2 * x) + (x - 1) ** 4


def forrester(x):
    return (6 * x - 2) ** 2 * np.sin(12 * x - 4)


def beale(x):
    x1, x2 = x
    return (1.5 - x1 + x1 * x2) ** 2 + (2.25 - x1 + x1 * x2 ** 2) ** 2 + (2.625 - x1 + x1 * x2 ** 3) ** 2


def booth(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


def branin(x):
    x1 = x[0]
    x2 = x[1]
    return (BRANIN_A * (x2 - BRANIN_B * x1 ** 2 + BRANIN_C * x1 - BRANIN_R) ** 2
            + BRANIN_S * (1 - BRANIN_T) * np.cos(x1) + BRANIN_S)


def three_hump_camel(x):
    return 2 * x[0] ** 2 - 1.05 * x[0] ** 4 + x[0] ** 6 / 6 + x[0] * x[1] + x[1] ** 2


def six_hump_camel(x1, x2):
    return (4 - 2.1 * x1 ** 2 + x1 ** 4 / 3) * x1 ** 2 + x1 * x2 + (-4 + 4 * x2 ** 2) * x2 ** 2


def easom(x):
    return -np.cos(x[0]) * np.cos(x[1]) * np.exp(-(x[0] - np.pi) ** 2 - (x[1] - np.pi) ** 2)


def goldstein_price(x):
    x1, x2 = x[0], x[1]
    a = 1 + (x1 + x2 + 1) ** 2 * (19 - 14 * x1 + 3 * x1 ** 2 - 14 * x2 + 6 * x1 * x2 + 3 * x2 ** 2)
    b = 30 + (2 * x1 - 3 * x2) ** 2 * (18 - 32 * x1 + 12 * x1 ** 2 + 48 * x2 - 36 * x1 * x2 + 27 * x2 ** 2)
    return a * b


def himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def matyas(x):
    return 0.26 * (x[0] ** 2 + x[1] ** 2) - 0.48 * x[0] * x[1]


def mccormick(x):
    return np.sin(x[0] + x[1]) + (x[0] - x[1]) ** 2 - 1.5 * x[0] + 2.5 * x[1] + 1


def bohachevsky1(x):
    return x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * np.cos(3 * np.pi * x[0]) - 0.4 * np.cos(4 * np.pi * x[1]) + 0.7


def bohachevsky2(x):
    return x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * np.cos(3 * np.pi * x[0]) * np.cos(4 * np.pi * x[1]) + 0.3


def bohachevsky3(x):
    return x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * np.cos(3 * np.pi * x[0] + 4 * np.pi * x[1]) + 0.3


def colville(x):
    x1, x2, x3, x4 = x
    return (100 * (x1 ** 2 - x2) ** 2 + (x1 - 1) ** 2 + (x3 - 1) ** 2 + 90 * (x3 ** 2 - x4) ** 2
            + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2) + 19.8 * (x2 - 1) * (x4 - 1))


def hartmann3(x):
    inner = np.sum(HARTMANN3_A * (x - HARTMANN3_P) ** 2, axis=1)
    return -np.sum(HARTMANN3_ALPHA * np.exp(-inner))


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = 0.0
        for j in range(6):
            inner += HARTMANN6_A[i, j] * (x[j] - HARTMANN6_P[i, j]) ** 2
        total -= HARTMANN6_ALPHA[i] * math.exp(-inner)
    return total


def shekel(x):
    m = SHEKEL_C.shape[1]
    total = 0.0
    for i in range(m):
        total -= 1.0 / (np.sum((x - SHEKEL_C[:, i]) ** 2) + SHEKEL_BETA[i])
    return total


def langermann(x):
    total = 0.0
    for i in range(len(LANGERMANN_C)):
        r2 = np.sum((x - LANGERMANN_A[i]) ** 2)
        total += LANGERMANN_C[i] * np.exp(-r2 / np.pi) * np.cos(np.pi * r2)
    return total


def levy13(x):
    x1, x2 = x
    return (np.sin(3 * np.pi * x1) ** 2 + (x1 - 1) ** 2 * (1 + np.sin(3 * np.pi * x2) ** 2)
            + (x2 - 1) ** 2 * (1 + np.sin(2 * np.pi * x2) ** 2))


def schaffer2(x):
    s = x[0] ** 2 + x[1] ** 2
    return 0.5 + (np.sin(x[0] ** 2 - x[1] ** 2) ** 2 - 0.5) / (1 + 0.001 * s) ** 2


def drop_wave(x):
    r2 = x[0] ** 2 + x[1] ** 2
    return -(1 + np.cos(12 * np.sqrt(r2))) / (0.5 * r2 + 2)


def eggholder(x):
    x1, x2 = x
    return (-(x2 + 47) * np.sin(np.sqrt(abs(x2 + x1 / 2 + 47)))
            - x1 * np.sin(np.sqrt(abs(x1 - (x2 + 47)))))


def holder_table(x):
    return -abs(np.sin(x[0]) * np.cos(x[1]) * np.exp(abs(1 - np.sqrt(x[0] ** 2 + x[1] ** 2) / np.pi)))


def cross_in_tray(x):
    inner = abs(np.sin(x[0]) * np.sin(x[1]) * np.exp(abs(100 - np.sqrt(x[0] ** 2 + x[1] ** 2) / np.pi)))
    return -0.0001 * (inner + 1) ** 0.1


def bukin6(x):
    return 100 * np.sqrt(np.abs(x[1] - 0.01 * x[0] ** 2)) + 0.01 * np.abs(x[0] + 10)


def zettl(x):
    return (x[0] ** 2 + x[1] ** 2 - 2 * x[0]) ** 2 + 0.25 * x[0]


def leon(x):
    return 100 * (x[1] - x[0] ** 3) ** 2 + (1 - x[0]) ** 2


def treccani(x):
    return x[0] ** 4 + 4 * x[0] ** 3 + 4 * x[0] ** 2 + x[1] ** 2


def bartels_conn(x):
    return abs(x[0] ** 2 + x[1] ** 2 + x[0] * x[1]) + abs(np.sin(x[0])) + abs(np.cos(x[1]))


def freudenstein_roth(x):
    x1, x2 = x
    return (x1 - 13 + ((5 - x2) * x2 - 2) * x2) ** 2 + (x1 - 29 + ((x2 + 1) * x2 - 14) * x2) ** 2


def hosaki(x):
    x1, x2 = x
    return (1 - 8 * x1 + 7 * x1 ** 2 - 7 / 3 * x1 ** 3 + x1 ** 4 / 4) * x2 ** 2 * np.exp(-x2)


def box_betts(x):
    i = np.arange(1, 11)
    g = np.exp(-0.1 * i * x[0]) - np.exp(-0.1 * i * x[1]) - (np.exp(-0.1 * i) - np.exp(-1.0 * i)) * x[2]
    return np.sum(g ** 2)


def wolfe(x):
    return 4 / 3 * (x[0] ** 2 + x[1] ** 2 - x[0] * x[1]) ** 0.75 + x[2]


def rosenbrock_2d(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x ** 2) ** 2
