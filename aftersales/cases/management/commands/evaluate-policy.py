import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from pydantic import ValidationError

from aftersales.cases.domain.policy import Facts, default_ruleset, evaluate, explain
from aftersales.cases.schemas import PolicyIn
from aftersales.core.errors import DomainError
from aftersales.core.messages import translate


class Command(BaseCommand):
    help = "Dry-run the policy engine on a JSON file of facts (the body of POST /api/v1/policy/evaluate)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, file, lang, **options):
        try:
            payload = PolicyIn.model_validate(json.loads(Path(file).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{translate('input.malformed', lang)}: {exc}") from None
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            raise CommandError(translate("input.invalid", lang, fields=fields)) from None
        data = payload.model_dump(mode="python")
        for key in ("platform", "case_kind", "reason", "category"):
            data[key] = getattr(payload, key).value
        try:
            facts = Facts.from_dict(data)
        except DomainError as exc:
            raise CommandError(translate(exc.code, lang, **exc.params)) from None
        decision = evaluate(facts, default_ruleset(facts.platform), payload.requested_at)
        body = decision.to_dict()
        with translation.override(lang):
            body["message"] = explain(decision, lang)
        self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
