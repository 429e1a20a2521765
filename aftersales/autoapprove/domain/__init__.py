"""Auto-approve rules without Django: which of the owner's rules, if any, agrees to a request (pure)."""
