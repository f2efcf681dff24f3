from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "백업 파일(manage.py backup)로 데이터베이스와 저장된 파일을 되돌립니다. 먼저 백업 파일 "
        "전체를 검사하고, 새 데이터베이스를 옆에 만들어 확인한 뒤에만 바꿔 넣습니다(실패하면 "
        "아무것도 바뀌지 않음). 웹 서버와 PDF 작업자를 멈춘 뒤 돌립니다."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="백업 파일(.tar.gz)")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="확인을 묻지 않습니다.",
        )

    def handle(self, *args, archive: Path, interactive: bool = True, **options):
        manifest = backup_check(archive)
        self.stdout.write(manifest.summary())
        if interactive:
            try:
                answer = input(
                    "지금 데이터베이스와 파일을 이 백업으로 바꿉니다. 계속할까요? [yes/아니오] "
                )
            except EOFError:  # no terminal (cron, a pipe): only --noinput restores
                answer = ""
            if answer.strip().lower() not in {"yes", "y", "예", "네"}:
                raise CommandError("복구하지 않았습니다.")
        manifest, kept = backup_restore(archive)
        self.stdout.write(f"복구했습니다: {archive}\n이전 데이터베이스는 남겨 두었습니다: {kept}")
