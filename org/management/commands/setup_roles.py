from django.core.management.base import BaseCommand

from org.roles import ROLE_DESCRIPTIONS, setup_roles


class Command(BaseCommand):
    help = "Create or update the role groups and their permissions (also run after migrate)."

    def handle(self, *args, **options):
        setup_roles()
        for role, description in ROLE_DESCRIPTIONS.items():
            self.stdout.write(f"{role.value}: {description}")
