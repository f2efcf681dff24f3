from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from org.models import ApiToken, Department
from org.roles import Role, make_staff

DEMO_PASSWORD = "demo-portal-2026"
DEMO_TOKEN_NAME = "데모"
# (username, name, role, department or None): one account per role, on the seed departments.
DEMO_USERS = [
    ("clerk", "박사무", Role.CLERK, None),
    ("officer", "김담당", Role.OFFICER, "비전협력과"),
    ("head", "이과장", Role.HEAD, "비전협력과"),
    ("officer2", "정담당", Role.OFFICER, "기획담당관"),
    ("member", "최의원", Role.MEMBER, None),
    ("demo", "관리자", Role.ADMINISTRATOR, None),
]


class Command(BaseCommand):
    help = "개발용 데모 계정(역할마다 하나)을 만들고 로그인 정보를 보여 줍니다(DEBUG에서만)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("데모 계정은 DEBUG 모드에서만 만들 수 있습니다.")
        User = get_user_model()
        self.stdout.write(f"데모 계정 (비밀번호는 모두 {DEMO_PASSWORD}):")
        for username, name, role, department_name in DEMO_USERS:
            department = Department.objects.filter(name=department_name).first()
            if department_name and department is None:
                continue  # the seeds were not loaded
            user, _created = User.objects.get_or_create(username=username)
            user.first_name = name
            user.email = f"{username}@portal.invalid"
            user.is_superuser = False
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.clear()
            make_staff(user, role, department)
            where = f" ({department_name})" if department_name else ""
            self.stdout.write(f"  {username:<9} {role.value}{where}")
        self.stdout.write(
            "작성·관리 화면: http://127.0.0.1:8000/admin/  "
            "공개 화면과 구의원 로그인: http://127.0.0.1:8000/login/"
        )
        officer = User.objects.filter(username="officer").first()
        if officer is not None:
            # Keys are stored hashed and cannot be shown again: each run revokes the last demo
            # token and issues a new one.
            ApiToken.objects.filter(user=officer, name=DEMO_TOKEN_NAME).delete()
            _token, key = ApiToken.issue(user=officer, name=DEMO_TOKEN_NAME)
            self.stdout.write(
                f"API 안내: http://127.0.0.1:8000/api/v1/docs/  "
                f"officer의 직원 API 토큰(새로 발급): Authorization: Token {key}"
            )
