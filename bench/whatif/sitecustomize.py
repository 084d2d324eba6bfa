"""What-if experiments for the benchmark (never used by `make bench` or by Ally itself).

`bench/run_bench.py --ally-what-if no_jax` and
`bench/profile_components.py --what-if no_jax` put this folder on
PYTHONPATH, so Python runs this file at start-up in Ally's server processes.

no_jax: TensorFlow 2.12 imports jax (a declared dependency) only for an
optional TFLite converter, `try: from jax import ... except ImportError`.
Rasa imports TensorFlow at start-up even though Ally's model uses none, so
blocking the jax import keeps jax and jaxlib out of the server process.

Earlier experiments here became part of Ally (`ally/action_validation.py`:
the action-answer schema checked once) or lost their object (loading DIET
without its training step: Ally's pipeline has no TensorFlow model now).
"""

import os
import sys

if "no_jax" in os.environ.get("ALLY_WHAT_IF", "").split(","):
    sys.modules["jax"] = None  # `import jax` now raises ImportError
