"""Parts, stock locations (warehouse, vans), stock levels and their movement ledger."""
