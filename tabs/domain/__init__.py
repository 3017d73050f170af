"""The domain tabs' machinery: layout, events, handlers, answering, pages, results, cost."""
