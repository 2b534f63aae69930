"""Pay rules, pay accruals, pay periods, payroll runs and pay statements."""
