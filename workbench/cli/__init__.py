"""The command line: `python -m workbench` and its commands."""
