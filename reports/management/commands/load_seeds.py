from django.core.management.base import BaseCommand, CommandError

from reports.seeds import SeedError, seed_files, seed_load_file


class Command(BaseCommand):
    help = "fixtures/seeds/*.yaml의 실제 보고서 두 건을 불러옵니다(이미 있으면 건너뜁니다)."

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
            verb = "불러옴" if created else "이미 있음"
            self.stdout.write(f"{verb}: {report} ({path.name})")
