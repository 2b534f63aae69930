"""The company's own settings: name, address, tax, billing rates, payment terms."""
