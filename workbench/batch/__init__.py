"""Batches: one preset over many files, with progress, resume and exports."""
