"""Customer care rules that need no database (pure Python)."""
