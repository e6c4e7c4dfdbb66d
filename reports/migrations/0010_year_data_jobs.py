# A job of the task worker makes either a draft's PDF or the bloc-year data file (issue 12):
# its kind, and the file under a name that fits both.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0009_cache_table_always'),
    ]

    operations = [
        migrations.RenameField(model_name='renderjob', old_name='pdf', new_name='body'),
        migrations.AlterField(
            model_name='renderjob',
            name='body',
            field=models.BinaryField(blank=True, null=True, verbose_name='tệp đã làm xong (PDF hoặc JSON)'),
        ),
        migrations.AddField(
            model_name='renderjob',
            name='kind',
            field=models.CharField(choices=[('pdf', 'In văn bản (PDF)'), ('year_data', 'Dữ liệu năm (JSON)')], default='pdf', max_length=10, verbose_name='loại việc'),
        ),
        migrations.AlterField(
            model_name='renderjob',
            name='content_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='mã nội dung (sha256 của HTML)'),
        ),
        migrations.AlterField(
            model_name='renderjob',
            name='pages_done',
            field=models.PositiveIntegerField(default=0, verbose_name='số trang đã dàn (phần đã tổng hợp)'),
        ),
        migrations.AlterField(
            model_name='renderjob',
            name='pages_estimate',
            field=models.PositiveIntegerField(default=1, verbose_name='số trang (phần dữ liệu) ước tính'),
        ),
    ]
