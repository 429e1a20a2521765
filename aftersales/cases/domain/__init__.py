"""The pure domain core of the after-sale case: state machine, policy engine, deadlines. No Django."""
