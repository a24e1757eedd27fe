"""A streamlib subprocess node: multiplies every sample by a factor (numpy).

Usage: python3 gain_node.py [gain]   (default 1.0)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from streamlib_node import run  # noqa: E402

GAIN = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0

run(lambda samples, header: samples * GAIN)
