from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-portal-2026"


class Command(BaseCommand):
    help = "개발용 데모 관리자 계정을 만들고 로그인 정보를 보여 줍니다(DEBUG에서만)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("데모 계정은 DEBUG 모드에서만 만들 수 있습니다.")
        user, _created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write(
            f"데모 로그인: http://127.0.0.1:8000/admin/  아이디 {DEMO_USERNAME}  비밀번호 {DEMO_PASSWORD}"
        )
