"""Reasons, urgency and product-cause tags from a buyer's own words (Chinese first, English too).

Pure Python (no Django): `classify.classify(texts)` is the one entry point; `lexicon` is the one home
of the keyword rules (the urgency words included); the model is trained from the labelled set in
`data/` (see `data/README.md`).
"""
