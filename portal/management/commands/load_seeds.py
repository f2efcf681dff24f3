from django.core.management.base import BaseCommand, CommandError

from portal.seeds import SeedError, seed_files, seed_load_file
from publishing.workflow import publish_imported


class Command(BaseCommand):
    help = "fixtures/seeds/*.yaml의 실제 보고서 두 건을 불러와 공개판 1로 공개합니다(이미 있으면 건너뜁니다)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace", action="store_true", help="이미 있는 보고서를 지우고 다시 불러옵니다."
        )

    def handle(self, *args, replace: bool = False, **options):
        for path in seed_files():
            try:
                report, created = seed_load_file(path, replace=replace)
            except SeedError as error:
                raise CommandError(str(error)) from error
            if created:
                # The seeds are reports the council received: they are published as version 1.
                publish_imported(report, comment="의회에 제출된 종이 보고서에서 옮김")
            verb = "불러와 공개함" if created else "이미 있음"
            self.stdout.write(f"{verb}: {report} ({path.name})")
