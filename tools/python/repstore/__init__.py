"""repstore for Python: a store of neural-network activations, driven through the `repstore` binary."""
