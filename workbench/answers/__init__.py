"""Answers: JSON read out of the model's text, validated, checked, its boxes mapped back."""
