from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampaignsConfig(AppConfig):
    name = "fundraising.campaigns"

    def ready(self):
        from .roles import role_groups_refresh

        # After every app's permissions exist (auth creates them on post_migrate too, earlier in INSTALLED_APPS).
        post_migrate.connect(role_groups_refresh, dispatch_uid="fundraising-role-groups-refresh")
