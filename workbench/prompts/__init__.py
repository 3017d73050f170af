"""Prompts: presets, the role and question, and the conversation, built into chat messages."""
