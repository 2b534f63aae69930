"""The audit log: who changed money, stock and pay, when, and by how much."""
