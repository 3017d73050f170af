"""Evidence: OCR read off the same image, and every value of an answer matched against it."""
