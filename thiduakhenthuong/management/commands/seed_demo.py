from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blocs.models import Province
from thiduakhenthuong.demo_data import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Load the demo data (the five seed plans and their blocs). Demo only: refused when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when data exists already."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo chỉ dùng cho bản chạy thử (DEBUG=1); từ chối khi DEBUG tắt."
            )
        if Province.objects.exists():
            if if_empty:
                self.stdout.write("Dữ liệu mẫu đã có, bỏ qua.")
                return
            raise CommandError(
                "Cơ sở dữ liệu đã có dữ liệu; dùng một cơ sở dữ liệu trống cho dữ liệu mẫu."
            )
        counts = build_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo dữ liệu mẫu: {counts}. Mật khẩu mọi tài khoản: {DEMO_PASSWORD}"
            )
        )
