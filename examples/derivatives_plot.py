"""Draw f(x) = sin²(x) and its first three derivatives, compiled and eager.

    pip install -e ".[plot]"
    python examples/derivatives_plot.py            # writes docs/derivatives.png

The lines are compiled derivatives: `srcgrad.grad` nested one, two and three times on
examples/tutorial.py's `square_sin` (reverse mode, then forward over reverse, then forward over
forward over reverse). The dots are the eager tutorial's (examples/tutorial_eager.py):
`gradients_function` nested the same way. They agree to 1e-10.
"""

from __future__ import annotations

import argparse
import sys
from math import pi
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tutorial import square_sin  # noqa: E402
from tutorial_eager import derivatives  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "derivatives.png"))
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import srcgrad

    x = np.linspace(-2 * pi, 2 * pi, 100)  # 100 points between -2π and +2π
    eager = [np.asarray(d) for d in derivatives(x)]
    compiled_derivatives = [square_sin, srcgrad.grad(square_sin)]
    compiled_derivatives += [srcgrad.grad(compiled_derivatives[-1])]
    compiled_derivatives += [srcgrad.grad(compiled_derivatives[-1])]
    compiled = [np.array([d(float(point)) for point in x]) for d in compiled_derivatives]
    labels = ["f(x) = sin²(x)", "first derivative", "second derivative", "third derivative"]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for k, (line, dots, label) in enumerate(zip(compiled, eager, labels)):
        drawn = ax.plot(x, line, label=label)
        ax.plot(x[::4], dots[::4], "o", markersize=3, color=drawn[0].get_color())
    ax.set_xlabel("x")
    ax.set_title("srcgrad: compiled derivatives (lines), eager tape (dots)")
    ax.grid(alpha=0.3)
    ax.set_ylim(-4.6, 5.8)  # room for the legend above the curves
    ax.legend(loc="upper center", ncol=4, fontsize="small")
    fig.tight_layout()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, metadata={"Software": None})  # no version stamp: reproducible bytes
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
