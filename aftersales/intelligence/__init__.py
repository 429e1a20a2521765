"""Case intelligence: what a buyer's words say about the reason, the urgency and the product."""
