"""`aftersales worker`: the background worker (huey consumer) with its every-minute tasks.

It takes the consumer's options, e.g. `aftersales worker -w 4 -k thread`. Storage is SQLite under
var/ by default, Redis when REDIS_URL is set (then run as many workers on as many machines as needed).
"""

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the background worker: deadline sweeps, follow-ups and the outbox, every minute."
