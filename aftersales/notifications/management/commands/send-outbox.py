"""`aftersales send-outbox --once`: deliver the messages that are due now and say what happened."""

import time

from django.core.management.base import BaseCommand, CommandError

from aftersales.notifications.delivery import deliver_due, retry_now
from aftersales.notifications.outbox import enqueue_follow_ups


class Command(BaseCommand):
    help = "Deliver due outbox messages (log, e-mail, signed webhooks)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between passes (default 60)")
        parser.add_argument("--limit", type=int, default=1000, help="most messages per pass")
        parser.add_argument("--follow-ups", action="store_true", help="also queue today's follow-ups first")
        parser.add_argument("--retry", type=int, metavar="MESSAGE_ID", help="send a dead message again now")

    def handle(self, *args, **options):
        if options["retry"]:
            if not retry_now(options["retry"]):
                raise CommandError(f"message {options['retry']} is not dead or failed")
            self.stdout.write(f"message {options['retry']} will be sent again")
        while True:
            if options["follow_ups"]:
                self.stdout.write(f"follow-ups queued: {enqueue_follow_ups()}")
            report = deliver_due(limit=options["limit"])
            self.stdout.write(f"outbox: {report.summary()}")
            for line in report.errors[:50]:
                self.stdout.write(f"  {line}")
            if options["once"]:
                return
            time.sleep(options["interval"])
