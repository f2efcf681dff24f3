from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import backup_check, backup_create


class Command(BaseCommand):
    help = (
        "데이터베이스(SQLite는 온라인 백업, PostgreSQL은 pg_dump -Fc)와 저장된 파일(STORAGES)을 "
        "백업 파일 하나(tar.gz, 목록과 SHA-256 포함)로 BACKUP_DIR에 씁니다. 서버가 도는 중에도 "
        "됩니다. 매일 cron으로 돌립니다. 예: "
        "CRON_TZ=Asia/Seoul  30 2 * * *  cd /srv/portal && .venv/bin/python manage.py backup --keep 14"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="BACKUP_DIR 대신 이 폴더에 씁니다.")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="백업한 뒤 그 폴더에 가장 새 백업 N개만 남기고 지웁니다.",
        )
        parser.add_argument(
            "--with-booklets",
            action="store_true",
            help="회기 책자 조각(다시 만들 수 있는 캐시)도 넣습니다.",
        )
        parser.add_argument(
            "--check",
            type=Path,
            metavar="FILE",
            help="백업하지 않고 이 백업 파일을 끝까지 검사만 합니다(목록, SHA-256, 버전).",
        )

    def handle(self, *args, dir=None, keep=None, with_booklets=False, check=None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep은 1 이상이어야 합니다.")
        if check:
            manifest = backup_check(check)
            self.stdout.write(f"이상 없음: {check}\n{manifest.summary()}")
            return
        path = backup_create(directory=dir, with_booklets=with_booklets, keep=keep)
        manifest = backup_check(path)
        self.stdout.write(f"백업했습니다: {path}\n{manifest.summary()}")
