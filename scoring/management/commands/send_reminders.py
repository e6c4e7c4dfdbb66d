"""`python manage.py send_reminders [--date YYYY-MM-DD]`: e-mail units 7 and 2 days before a
deadline they have not met, once per deadline (run daily from cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.reminders import send_reminders


class Command(BaseCommand):
    help = "Gửi thư nhắc hạn (7 và 2 ngày trước hạn) cho các đơn vị chưa hoàn thành."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="ngày chạy (YYYY-MM-DD), mặc định hôm nay")

    def handle(self, *args: Any, date: str | None = None, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("Ngày không hợp lệ, hãy ghi theo dạng YYYY-MM-DD.") from None
        sent, skipped = send_reminders(today=today)
        self.stdout.write(f"Đã gửi {sent} thư nhắc hạn; {skipped} đơn vị chưa có địa chỉ e-mail.")
