from typing import Any

from django.apps import AppConfig


def _profile_changed(sender: type[Any], **kwargs: Any) -> None:
    # Country pages are kept for anonymous visitors under their profile's last change, which
    # each worker keeps in memory (solidarity.web.views): make every worker read it again.
    from solidarity.indicators.sdmx_cache import public_state_changed

    public_state_changed()


class WebConfig(AppConfig):
    name = "solidarity.web"
    label = "web"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from solidarity.states.models import StateProfile

        post_save.connect(_profile_changed, sender=StateProfile, dispatch_uid="web.profile.save")
        post_delete.connect(
            _profile_changed, sender=StateProfile, dispatch_uid="web.profile.delete"
        )
