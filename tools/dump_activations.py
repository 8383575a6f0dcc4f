#!/usr/bin/env python3
"""The activation dump tool, run from a checkout: the code is the `repstore.dump` module of the Python package
(tools/python), so that `Store.capture` and this command pool rows with the same code. `import dump_activations`
gives that module itself."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))

from repstore import dump  # noqa: E402

if __name__ == "__main__":
    sys.exit(dump.main())
sys.modules[__name__] = dump
