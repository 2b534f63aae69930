"""Customers and their service sites."""
