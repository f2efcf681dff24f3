import datetime

from django.core.management.base import BaseCommand, CommandError

from portal.notifications import send_deadline_reminders

OUTCOMES = {
    "sent": "보냄",
    "already_sent": "오늘 이미 보냄",
    "failed": "보내지 못함(메일 서버 오류, 다음 실행 때 다시 보냄)",
    "no_recipients": "받을 사람 없음(부서 직원의 전자우편 주소 없음)",
    "submitted": "그사이 제출됨",
}


class Command(BaseCommand):
    help = (
        "제출 마감일 N일 전(settings.REMINDER_DAYS, 기본 3일·1일 전)에 아직 제출하지 않은 "
        "부서의 직원에게 알림 메일을 보냅니다. 같은 날 다시 돌려도 두 번 보내지 않습니다. "
        "매일 한 번 cron으로 돌립니다. 예(서버 시간대와 관계없이 한국 시각 오전 9시): "
        "CRON_TZ=Asia/Seoul  0 9 * * *  cd /srv/portal && .venv/bin/python manage.py send_reminders"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="오늘 대신 이 날짜(YYYY-MM-DD)를 기준으로 보냅니다. 빠뜨린 날을 다시 돌릴 때 씁니다.",
        )

    def handle(self, *args, date: str | None = None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"날짜는 YYYY-MM-DD 형식으로 적으세요: {date}") from error
        reminders = send_deadline_reminders(today)
        if not reminders:
            self.stdout.write("보낼 알림이 없습니다.")
            return
        for reminder in reminders:
            report = reminder.report
            line = f"{OUTCOMES[reminder.outcome]}: {report} (마감 {reminder.days}일 전)"
            if reminder.outcome == "sent":
                line += " → " + ", ".join(reminder.recipients)
            self.stdout.write(line)
        sent = sum(reminder.outcome == "sent" for reminder in reminders)
        self.stdout.write(self.style.SUCCESS(f"알림 메일 {sent}통을 보냈습니다."))
