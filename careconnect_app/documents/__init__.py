"""PDFs: the shared canvas and one module per document (signed copy, certificate, parents' guide)."""
