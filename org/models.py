"""Organisation: bureaus (국/단), departments (과/담당관), teams (팀) and staffing (인력)."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text import refuse_invisible

MAX_HEADCOUNT = 999
# The years a report can be about (reports.Session.year, budget fiscal years): 2000–2100.
FIRST_REPORT_DAY = datetime.date(2000, 1, 1)
LAST_REPORT_DAY = datetime.date(2100, 12, 31)
MESSAGE_DAY_OUT_OF_RANGE = _("기준일은 2000년에서 2100년 사이의 날짜여야 합니다.")


def within_report_years(day: datetime.date) -> None:
    """Validator of a 기준일: within the years reports are about."""
    if day is not None and not FIRST_REPORT_DAY <= day <= LAST_REPORT_DAY:
        raise ValidationError(MESSAGE_DAY_OUT_OF_RANGE, code="out_of_range")


class Bureau(models.Model):
    """A 국 or 단 grouping departments; the session booklet is ordered by bureau."""

    name = models.CharField(
        _("국·단 이름"), max_length=50, unique=True, validators=[refuse_invisible]
    )
    order = models.PositiveIntegerField(_("순서"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("국·단")
        verbose_name_plural = _("국·단")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A 과 or 담당관: the unit that writes one report per session."""

    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("국·단"),
        on_delete=models.PROTECT,
        related_name="departments",
        null=True,
        blank=True,
        help_text=_("구청장·부구청장 직속 부서는 비워 둡니다."),
    )
    name = models.CharField(
        _("부서 이름"), max_length=50, unique=True, validators=[refuse_invisible]
    )
    order = models.PositiveIntegerField(_("순서"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("부서")
        verbose_name_plural = _("부서")
        ordering = ["order", "name"]
        permissions = [("all_departments", _("모든 부서의 자료를 보고 고칠 수 있음"))]

    def __str__(self) -> str:
        return self.name


class TeamQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "TeamQuerySet":
        """Teams that existed on `day` (established on or before it, not yet abolished)."""
        return self.filter(
            Q(established_on__isnull=True) | Q(established_on__lte=day),
            Q(abolished_on__isnull=True) | Q(abolished_on__gt=day),
        )


class Team(models.Model):
    """A 팀 of a department with its duties (업무분장), one duty per line."""

    department = models.ForeignKey(
        Department, verbose_name=_("부서"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("팀 이름"), max_length=50, validators=[refuse_invisible])
    duties = models.TextField(
        _("업무분장"),
        blank=True,
        help_text=_("한 줄에 업무 하나씩 적습니다."),
        validators=[refuse_invisible],
    )
    order = models.PositiveIntegerField(_("순서"), default=0)
    established_on = models.DateField(_("신설일"), null=True, blank=True)
    abolished_on = models.DateField(_("폐지일"), null=True, blank=True)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("팀")
        verbose_name_plural = _("팀")
        ordering = ["department_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_unique_name"),
            models.CheckConstraint(
                condition=Q(established_on__isnull=True)
                | Q(abolished_on__isnull=True)
                | Q(established_on__lt=models.F("abolished_on")),
                name="team_established_before_abolished",
                violation_error_message=_("폐지일은 신설일보다 뒤여야 합니다."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}" if self.department_id else self.name

    def duty_list(self) -> list[str]:
        lines = (line.strip().lstrip("-○·").strip() for line in self.duties.splitlines())
        return [line for line in lines if line]


class JobSeries(models.TextChoices):
    GENERAL = "general", _("일반직")
    ADMIN_OPS = "admin_ops", _("관리운영직")
    SPECIAL_TERM = "special_term", _("별정직·임기제")
    RESEARCH = "research", _("연구·지도직")


class Grade(models.TextChoices):
    G1 = "1", _("1급")
    G2 = "2", _("2급")
    G3 = "3", _("3급")
    G4 = "4", _("4급")
    G5 = "5", _("5급")
    G6 = "6", _("6급")
    G7 = "7", _("7급")
    G8 = "8", _("8급")
    G9 = "9", _("9급")


# The columns every staffing table prints, as in the council booklets; other cells that hold
# people are added after them.
STANDARD_COLUMNS: list[tuple[str, str]] = [
    *((JobSeries.GENERAL, g) for g in "456789"),
    *((JobSeries.ADMIN_OPS, g) for g in "6789"),
    *((JobSeries.SPECIAL_TERM, g) for g in "6789"),
]


class StaffingSnapshotQuerySet(models.QuerySet):
    def as_of(self, day: datetime.date) -> "StaffingSnapshotQuerySet":
        return self.filter(as_of__lte=day).order_by("-as_of")


class StaffingSnapshot(models.Model):
    """정원 and 현원 of a department on one date; snapshots accumulate as history."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("부서"),
        on_delete=models.CASCADE,
        related_name="staffing_snapshots",
    )
    as_of = models.DateField(_("기준일"), validators=[within_report_years])

    objects = StaffingSnapshotQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("인력 현황")
        verbose_name_plural = _("인력 현황")
        ordering = ["department_id", "-as_of"]
        get_latest_by = "as_of"
        constraints = [
            models.UniqueConstraint(
                fields=["department", "as_of"], name="staffing_one_snapshot_per_day"
            ),
            models.CheckConstraint(
                condition=Q(as_of__gte=FIRST_REPORT_DAY) & Q(as_of__lte=LAST_REPORT_DAY),
                name="staffing_as_of_within_report_years",
                violation_error_message=MESSAGE_DAY_OUT_OF_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} 인력 ({self.as_of:%Y. %m. %d.})"


class StaffingCell(models.Model):
    """One job series × grade cell: 정원 (authorised) and 현원 (current) headcount."""

    snapshot = models.ForeignKey(
        StaffingSnapshot,
        verbose_name=_("인력 현황"),
        on_delete=models.CASCADE,
        related_name="cells",
    )
    series = models.CharField(_("직렬"), max_length=20, choices=JobSeries.choices)
    grade = models.CharField(_("직급"), max_length=2, choices=Grade.choices)
    authorized = models.PositiveSmallIntegerField(
        _("정원"), default=0, validators=[MaxValueValidator(MAX_HEADCOUNT)]
    )
    current = models.PositiveSmallIntegerField(
        _("현원"), default=0, validators=[MaxValueValidator(MAX_HEADCOUNT)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("인력 칸")
        verbose_name_plural = _("인력 칸")
        ordering = ["snapshot_id", "series", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "series", "grade"], name="staffing_cell_unique"
            ),
            models.CheckConstraint(
                condition=Q(authorized__lte=MAX_HEADCOUNT) & Q(current__lte=MAX_HEADCOUNT),
                name="staffing_cell_headcount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_series_display()} {self.get_grade_display()}"

    @property
    def difference(self) -> int:
        """과부족 = 현원 − 정원."""
        return self.current - self.authorized


class StaffProfile(models.Model):
    """The department a staff account works for; what the role groups may touch follows it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("계정"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("소속 부서"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        help_text=_("부서 담당자와 부서장은 이 부서의 자료만 보고 고칩니다."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("직원 소속")
        verbose_name_plural = _("직원 소속")

    def __str__(self) -> str:
        return f"{self.user} ({self.department or '-'})"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A staff API key (`Authorization: Token <key>`). Only its SHA-256 hash is stored, with the
    first characters to tell keys apart; the key itself is shown once, when it is issued."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("계정"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("이름"), max_length=100, help_text=_("어디에 쓰는 토큰인지(예: 부서 자료 시스템).")
    )
    prefix = models.CharField(_("앞자리"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("키 해시(SHA-256)"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("발급"), auto_now_add=True)
    last_used = models.DateTimeField(_("마지막 사용"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("폐기"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        """A new token for the account, and its key (the only time the key is known)."""
        token = cls(user=user, name=name)
        key = token.set_new_key()
        token.save()
        return token, key

    def set_new_key(self) -> str:
        """Give the (unsaved) token a new random key; the key is returned, only its hash kept."""
        key = secrets.token_urlsafe(30)
        self.prefix = key[: self.PREFIX_LENGTH]
        self.key_hash = _hash_key(key)
        return key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The usable token with this key (revoked ones are not found)."""
        return cls.objects.usable().select_related("user").filter(key_hash=_hash_key(key)).first()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
