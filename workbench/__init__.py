"""The workbench core: model session, engines, images, prompts, presets, checks; no Gradio.

Importing it loads neither torch, transformers nor gradio; the model session imports the heavy
libraries when the first question needs the model.
"""
