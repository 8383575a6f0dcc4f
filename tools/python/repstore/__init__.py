"""repstore for Python: a store of neural-network activations and their similarity tables.

The ``repstore`` binary is the engine (``REPSTORE_BIN``, else ``repstore`` on the PATH); this package drives it through
its standard input and output, so arrays go in and come out without temporary files and the store format has one
implementation.

    >>> import repstore
    >>> store = repstore.Store("acts.repstore")
    >>> store.add("gpt2", "L3", activations, examples="wiki", keys=sentence_ids)
    >>> store.sim("cka", "gpt2/*@wiki", "gpt2-seed1/*@wiki")      # a DataFrame, one row per layer pair

``repstore.dump`` is the activation dump tool (tools/dump_activations.py); ``Store.capture`` uses its hooks.
"""

from ._engine import RepstoreError, find_binary
from .store import Store

__all__ = ["Store", "RepstoreError", "find_binary"]
__version__ = "0.1.0"
