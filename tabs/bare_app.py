"""Baseline of `python -m workbench bench app`: the app's widgets in plain Gradio, nothing else.

`python tabs/bare_app.py --port P` serves the same four tabs of widgets as `launch.py`, with the
same theme and CSS, but no workbench import, no model session and only trivial handlers, so the
benchmark can tell what the workbench itself adds to page-up time and idle memory.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import gradio as gr
from gradio_image_annotation import image_annotator
from PIL import Image

# Copied from tabs.app (importing it would import the workbench, which is what we measure).
THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="slate")
CSS = """
.model-status p { margin: 0; font-size: 0.92em; }
.preset-error { border-left: 4px solid #dc2626; padding-left: 0.75em; }
"""
TABS = {"receipts": 4, "screenshots": 2, "homework": 3, "gauges": 2}  # key: examples, as the app
# A fixed folder, drawn once: the server is killed by a signal, so nothing would clean a temp dir.
EXAMPLES_DIR = Path(tempfile.gettempdir()) / "workbench-bare-examples"


def _status() -> str:
    return "Model: not loaded"


def _example_rows(key: str, count: int) -> list[list[object]]:
    """Return `count` examples for a tab: blank PNGs drawn on first use, as annotator values."""
    EXAMPLES_DIR.mkdir(exist_ok=True)
    rows: list[list[object]] = []
    for number in range(count):
        path = EXAMPLES_DIR / f"{key}-{number}.png"
        if not path.exists():
            Image.new("RGB", (448, 448), "white").save(path)
        rows.append([{"image": str(path), "boxes": []}, None])
    return rows


def _tab(key: str, examples: int) -> None:
    """Lay out one tab's widgets, as `tabs.domain.common.build_domain_tab` does, no real events."""
    gr.Markdown(f"The {key} tab.")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            image = image_annotator(
                label="Image", single_box=True, image_type="filepath", use_default_label=True,
                sources=["upload", "clipboard"], height=460,
            )  # fmt: skip
            gr.Radio([("Crop", "crop"), ("Highlight", "highlight")], value="crop", label="Region")
        with gr.Column(scale=6, min_width=360):
            gr.Markdown(_status, elem_classes="model-status")
            with gr.Row():
                preset = gr.Dropdown(["Preset"], value="Preset", label="Preset", scale=3)
                gr.Radio([("English", "en"), ("中文", "zh")], value="en", label="In", scale=2)
            gr.Textbox(label="Role")
            question = gr.Textbox(label="Question", lines=3)
            with gr.Row(visible=key == "gauges"):
                gr.Number(None, label="Alarm threshold")
                gr.Radio(["above", "below"], value="above", label="Alarm when the value is")
            with gr.Accordion("Generation and checking", open=False):
                with gr.Row():
                    gr.Slider(0, 2, 0.7, step=0.05, label="Temperature")
                    gr.Slider(0.05, 1, 0.8, step=0.05, label="Top-p")
                    gr.Slider(16, 4096, 512, step=16, label="Max new tokens")
                with gr.Row():
                    gr.Checkbox(label="Strict JSON")
                    gr.Slider(0, 2, 1, step=1, label="Repair turns")
            chat = gr.Chatbot(label="Conversation", height=380)
            with gr.Row():
                ask = gr.Button("Ask", variant="primary")
                gr.Button("Stop", variant="stop")
                gr.Button("Regenerate")
                clear = gr.Button("Clear")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            gr.Image(label="Boxes from the answer", type="pil", interactive=False)
        with gr.Column(scale=6, min_width=360):
            gr.Markdown("")
            gr.Markdown("")
            gr.JSON(label="Parsed JSON")
            gr.File(label="Export", file_count="multiple", interactive=False)
            with gr.Accordion("Run details", open=False):
                gr.JSON(label="Details")
    gr.Examples(_example_rows(key, examples), inputs=[image, preset], examples_per_page=8)
    # Trivial handlers, so the page carries event wiring like the real one.
    ask.click(lambda text: [{"role": "user", "content": text}], question, chat)
    clear.click(lambda: [], None, chat)


def build() -> gr.Blocks:
    """Return the bare app: a header with a status line, four tabs, a status timer."""
    with gr.Blocks(title="Bare Gradio baseline") as app:
        with gr.Row():
            gr.Markdown("## Bare baseline")
            status = gr.Markdown(_status)
        with gr.Tabs():
            for key, examples in TABS.items():
                with gr.Tab(key):
                    _tab(key, examples)
        gr.Timer(3).tick(_status, None, status, queue=False)
    return app


def main() -> None:
    """Serve the bare app on 127.0.0.1 until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=7861)
    args = parser.parse_args()
    app = build()
    app.queue()
    app.launch(
        server_name="127.0.0.1",
        server_port=args.port,
        theme=THEME,
        css=CSS,
        footer_links=["api"],
    )


if __name__ == "__main__":
    main()
