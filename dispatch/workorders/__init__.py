"""Work orders: what a technician did on a job; service.file_work_order orchestrates the rest."""
