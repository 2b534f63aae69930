"""Estimates: a price offered before the work, accepted or declined by the customer through its link."""
