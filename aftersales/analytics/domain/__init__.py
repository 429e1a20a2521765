"""The arithmetic of analytics, pure (no Django): periods, rates and bounds, jumps, Pareto, contributions."""
