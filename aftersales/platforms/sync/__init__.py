"""Live platform sync: connected stores, pulling cases and orders, pushing the merchant's actions."""
