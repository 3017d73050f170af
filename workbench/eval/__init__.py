"""Evaluation: golden sets, scoring, human grading and the reports built on them."""
