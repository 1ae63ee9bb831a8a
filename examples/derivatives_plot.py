"""Draw f(x) = sin²(x) and its first three derivatives, computed by srcgrad's eager engine.

    pip install -e ".[plot]"
    python examples/derivatives_plot.py            # writes docs/derivatives.png

This is the picture of the eager tutorial (examples/tutorial_eager.py): `gradients_function`
nested one, two and three times.
"""

from __future__ import annotations

import argparse
import sys
from math import pi
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tutorial_eager import derivatives  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "derivatives.png"))
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.linspace(-2 * pi, 2 * pi, 100)  # 100 points between -2π and +2π
    f0, f1, f2, f3 = derivatives(x)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.plot(x, f0, label="f(x) = sin²(x)")
    ax.plot(x, f1.numpy(), label="first derivative")
    ax.plot(x, f2.numpy(), label="second derivative")
    ax.plot(x, f3.numpy(), label="third derivative")
    ax.set_xlabel("x")
    ax.set_title("srcgrad eager: gradients_function, nested three times")
    ax.grid(alpha=0.3)
    ax.set_ylim(-4.6, 5.8)  # room for the legend above the curves
    ax.legend(loc="upper center", ncol=4, fontsize="small")
    fig.tight_layout()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, metadata={"Software": None})  # no version stamp: reproducible bytes
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
