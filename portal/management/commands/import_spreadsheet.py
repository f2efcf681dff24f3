import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budget.resources import BudgetLineResource
from org import access
from org.models import Department
from org.resources import StaffingResource, TeamResource
from org.services import spreadsheet_import

KINDS = {"budget": BudgetLineResource, "staffing": StaffingResource, "teams": TeamResource}
KIND_LABELS = {"new": "새로", "update": "바뀜", "skip": "그대로"}


class Command(BaseCommand):
    help = (
        "예산·집행액(budget), 인력 현황(staffing), 팀(teams)을 XLSX·CSV 파일에서 한 부서로 "
        "가져옵니다. 관리 화면의 가져오기와 같은 검사를 하며, 한 행이라도 문제가 있으면 아무것도 "
        "저장하지 않습니다. --confirm 없이는 미리보기만 보여 줍니다. 예: manage.py "
        "import_spreadsheet budget 집행현황.xlsx --department 비전협력과 --user clerk --confirm"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--department", required=True, help="가져올 부서 이름")
        parser.add_argument(
            "--user", required=True, help="가져오는 사람의 계정(변경 이력에 남고, 권한을 봅니다)"
        )
        parser.add_argument("--fiscal-year", type=int, help="파일에 회계연도 열이 없을 때")
        parser.add_argument("--as-of", help="파일에 기준일 열이 없을 때(YYYY-MM-DD)")
        parser.add_argument("--confirm", action="store_true", help="미리보기대로 저장합니다")

    def handle(self, *args, kind, file, department, user, fiscal_year, as_of, confirm, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"계정 ‘{user}’이(가) 없거나 쓰지 않는 계정입니다.")
        target = Department.objects.filter(name=department).first()
        if target is None:
            raise CommandError(f"부서 ‘{department}’이(가) 없습니다.")
        if not access.in_reach(account, target):
            raise CommandError(f"‘{user}’ 계정은 ‘{department}’의 자료를 가져올 수 없습니다.")
        model = KINDS[kind]._meta.model._meta
        if not account.has_perms([f"{model.app_label}.add_{model.model_name}"]):
            raise CommandError(f"‘{user}’ 계정에는 이 자료를 가져올 권한이 없습니다.")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(f"기준일은 YYYY-MM-DD 형식으로 적으세요: {as_of}") from error
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"파일을 읽을 수 없습니다: {file} ({error.strerror})") from error

        with transaction.atomic():
            plan = spreadsheet_import(
                resource_class=KINDS[kind],
                data=data,
                filename=file.name,
                user=account,
                department=target,
                defaults={"fiscal_year": fiscal_year, "as_of": day},
                dry_run=not confirm,
            )
        for notice in plan.notices:
            self.stdout.write(f"알림: {notice}")
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(f"문제: {problem}")
            raise CommandError(f"문제 {len(plan.problems)}건 — 아무것도 저장하지 않았습니다.")
        for row in plan.rows:
            changes = "; ".join(row.changes)
            self.stdout.write(
                f"{row.line}행 [{KIND_LABELS[row.kind]}] {row.label} {changes}".rstrip()
            )
        counts = ", ".join(f"{label} {plan.count(kind_)}" for kind_, label in KIND_LABELS.items())
        if confirm:
            self.stdout.write(self.style.SUCCESS(f"저장했습니다: {counts}"))
        else:
            self.stdout.write(f"미리보기만 했습니다({counts}). 저장하려면 --confirm을 붙이세요.")
