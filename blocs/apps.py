from django.apps import AppConfig


class BlocsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blocs"
    verbose_name = "Khối thi đua, đơn vị"
