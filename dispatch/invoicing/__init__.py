"""Invoices, payments, PDFs, emailing, reminders, late fees and estimates."""
