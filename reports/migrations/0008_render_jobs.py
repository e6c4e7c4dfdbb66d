# The print jobs of large drafts, and the cache table the draft PDFs are kept in (settings.CACHES).

import django.db.models.deletion
import uuid
from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models


def create_cache_table(apps, schema_editor):
    """The database cache's table (a no-op when CACHE_DIR puts the cache in files), so that
    `migrate` alone prepares a database for the app."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ('blocs', '0004_account_manager'),
        ('reports', '0007_proposal_dossier_documents'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RenderJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name='mã việc in')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('source_path', models.CharField(max_length=500, verbose_name='địa chỉ tải văn bản')),
                ('title', models.CharField(max_length=300, verbose_name='tên văn bản')),
                ('filename', models.CharField(max_length=200, verbose_name='tên tệp')),
                ('html', models.TextField(blank=True, verbose_name='bản HTML để in')),
                ('content_sha256', models.CharField(max_length=64, verbose_name='mã nội dung (sha256 của HTML)')),
                ('status', models.CharField(choices=[('queued', 'Đang chờ in'), ('running', 'Đang in'), ('done', 'Đã in xong'), ('failed', 'Không in được')], default='queued', max_length=10, verbose_name='trạng thái')),
                ('pages_estimate', models.PositiveIntegerField(default=1, verbose_name='số trang ước tính')),
                ('seconds_estimate', models.FloatField(default=0, verbose_name='thời gian in ước tính (giây)')),
                ('pages_done', models.PositiveIntegerField(default=0, verbose_name='số trang đã dàn')),
                ('pdf', models.BinaryField(blank=True, null=True, verbose_name='bản PDF')),
                ('error', models.TextField(blank=True, verbose_name='lỗi')),
                ('task_id', models.CharField(blank=True, max_length=64, verbose_name='mã tác vụ trong hàng đợi')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='yêu cầu lúc')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='bắt đầu in lúc')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='xong lúc')),
                ('bloc', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='render_jobs', to='blocs.bloc', verbose_name='khối thi đua')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='render_jobs', to=settings.AUTH_USER_MODEL, verbose_name='người yêu cầu')),
            ],
            options={
                'verbose_name': 'việc in văn bản',
                'verbose_name_plural': 'việc in văn bản',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['content_sha256', 'status'], name='render_job_content'), models.Index(fields=['status', 'created_at'], name='render_job_queue')],
            },
        ),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
