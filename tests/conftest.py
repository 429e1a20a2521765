"""Settings shared by every test suite."""

from hypothesis import settings

# Property tests check results, never speed: a run on a busy machine must not fail because one example
# took longer than Hypothesis's default 200 ms deadline (speed targets live in bench/).
settings.register_profile("aftersales", deadline=None)
settings.load_profile("aftersales")
