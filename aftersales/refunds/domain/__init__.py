"""Pure money rules of refunds: what may be refunded, and how it splits. No Django."""
