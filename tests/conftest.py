"""The tests live in one folder per pipeline stage: frontend/, analysis/, transform/, emit/,
building/ (pytest never looks into folders named build), eager/, api/, cli/, rules/. Their
shared helpers (support.py, fuzzing.py, fake_generator.py, pipeline_ir.py, programs/) live here,
and this folder goes on sys.path so every test imports them by name, from any folder and under
any pytest import mode."""

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
