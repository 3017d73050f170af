"""The workbench core: a question about a picture, start to finish, with no Gradio.

Packages follow the flow of a question — `intake` (files, pages, regions, enhancement) →
`prompts` (presets, role, conversation) → `engines` (the model) → `answers` (JSON, schema,
checks, boxes) → `evidence` (OCR) — with `eval` and `batch` on top and `cli` and `bench` as
faces. The top level holds what every stage shares: `settings`, `session`, `pipeline`, `choices`,
`record`, and the vocabulary (`messages`, `budget`, `api`).

Importing it loads neither torch, transformers nor gradio; the model session imports the heavy
libraries when the first question needs the model.
"""
