from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "giamngheo.reviews"
    label = "reviews"
    verbose_name = "Rà soát hộ nghèo / Poverty review campaigns"

    def ready(self) -> None:
        from giamngheo.computed.definition import register
        from giamngheo.registry.freeze import register_freeze_check
        from giamngheo.reviews.report import CAMPAIGN_FLAGS
        from giamngheo.reviews.selectors import frozen_household_reason

        register_freeze_check(frozen_household_reason)
        register(CAMPAIGN_FLAGS)
