"""Documents -> pages: PDF text layer and OCR, tables, headers/footers, cleaning, redaction."""
