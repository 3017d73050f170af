"""The app's API as scripts read it: what a tab's ask endpoints return, by name, in order.

The tabs produce these outputs and `bench load` (and `gradio_client` users) read them; both take
the names from here.
"""

# The result areas of a domain tab.
RESULTS = ("parsed", "verdict", "checks", "evidence", "truth", "annotated", "downloads", "details")
# A tab's `*_ask`, `*_submit` and `*_regenerate` events: the conversation (kept in the page's
# state, not returned to API callers), the chat, the run line, then the results.
ASK_OUTPUTS = ("conversation", "chat", "run_status", *RESULTS)
