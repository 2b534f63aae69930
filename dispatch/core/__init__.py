"""Cross-cutting plumbing: transactions, errors, money, time, the API base."""
