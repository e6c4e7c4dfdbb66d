from django.apps import AppConfig


class BlocsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blocs"
    verbose_name = "Khối thi đua, đơn vị"

    def ready(self) -> None:
        # the login signal that notes whether a session must enter a second-factor code
        from blocs import pagecache, twofactor  # noqa: F401

        # every connection reports its writes to the page cache's data version
        pagecache.install()
