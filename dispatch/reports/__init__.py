"""The owner's numbers: monthly net profit and profitability."""
