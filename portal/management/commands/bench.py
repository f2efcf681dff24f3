from django.core.management.base import BaseCommand
from django.db import connection

from portal import bench


class Command(BaseCommand):
    help = "성능 수치를 출력합니다(부분마다 새 임시 시험 데이터베이스에서): " + "; ".join(
        f"{name}: {part.description}" for name, part in bench.PARTS.items()
    )

    def add_arguments(self, parser):
        parser.add_argument("--departments", type=int, default=30)
        parser.add_argument("--cards", type=int, default=8)
        parser.add_argument("--only", choices=list(bench.PARTS), help="한 부분만 잽니다")
        parser.add_argument(
            "--readers-seconds", type=float, default=30, help="읽기 부하: URL마다 잴 시간(초)"
        )

    def handle(self, *args, departments: int, cards: int, only: str | None, **options):
        bench.READERS_SECONDS = options["readers_seconds"]
        for name in [only] if only else list(bench.PARTS):
            old_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True)
            try:
                bench.run_part(name, departments=departments, cards=cards, write=self.stdout.write)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
