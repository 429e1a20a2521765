import json
import sys

from django.core.management.base import BaseCommand, CommandError

from aftersales.core.messages import translate
from aftersales.intelligence.reasons.classify import classify

#: Lines are classified in batches of this many: memory stays flat however long the file.
BATCH = 500


class Command(BaseCommand):
    help = (
        "Suggest the reason, urgency (0–3), product-cause tags and the deciding words for buyer texts: "
        "FILE is UTF-8, one text per line ('-' reads standard input); one JSON object per line comes out, "
        "in order."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, file, lang, **options):
        try:
            if file == "-":
                lines = sys.stdin.buffer.read().decode("utf-8").splitlines()
            else:
                with open(file, encoding="utf-8", newline="") as handle:
                    lines = handle.read().splitlines()
        except OSError as exc:
            raise CommandError(translate("reasons.file_unreadable", lang, file=file, error=exc.strerror)) from None
        except UnicodeDecodeError as exc:
            raise CommandError(translate("reasons.not_utf8", lang, file=file, position=exc.start + 1)) from None
        if lines and lines[0].startswith("\ufeff"):  # a byte-order mark from Excel or Notepad
            lines[0] = lines[0][1:]
        for start in range(0, len(lines), BATCH):
            for suggestion in classify(lines[start:start + BATCH]):
                self.stdout.write(json.dumps(suggestion.to_dict(), ensure_ascii=False))
