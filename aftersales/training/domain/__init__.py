"""The training simulator's pure core: scenarios as data, the simulated buyer and platform, the scoring.

No Django here: the app around it (models, services, views) turns a scenario into a training case in a
training shop, feeds the trainee's actions in and shows the scores.
"""
