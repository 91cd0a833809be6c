"""Small shared rules every other package uses: crypto, masking, formatting, audit trail, rate limits."""
