"""The ledger's Donation model moves here from `campaigns`, in Django's state only: its table
(campaigns_donation), indexes and constraints stay exactly as they are, so upgrading rewrites no data."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def content_type_move(apps, schema_editor):
    """Keep permissions and admin history attached: the donation content type changes app, not identity."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="ledger", model="donation").exists():
        ContentType.objects.filter(app_label="campaigns", model="donation").update(app_label="ledger")


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="ledger", model="donation").update(app_label="campaigns")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("campaigns", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Donation',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('amount', models.PositiveBigIntegerField(help_text='In minor units.')),
                        ('currency', models.CharField(max_length=3)),
                        ('kind', models.CharField(choices=[('one_time', 'One-time'), ('monthly', 'Monthly')], default='one_time', max_length=10)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('expired', 'Expired'), ('refunded', 'Refunded'), ('partially_refunded', 'Partially refunded'), ('disputed', 'Disputed')], db_index=True, default='pending', max_length=20)),
                        ('amount_refunded', models.PositiveBigIntegerField(default=0)),
                        ('amount_disputed', models.PositiveBigIntegerField(default=0)),
                        ('dispute_status', models.CharField(blank=True, choices=[('', 'None'), ('open', 'Open'), ('won', 'Won'), ('lost', 'Lost')], default='', max_length=5)),
                        ('public_name', models.CharField(blank=True, max_length=100)),
                        ('anonymous', models.BooleanField(default=False)),
                        ('message', models.TextField(blank=True, max_length=1000)),
                        ('donor_email', models.EmailField(blank=True, max_length=254)),
                        ('stripe_checkout_session_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('stripe_payment_intent_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('stripe_charge_id', models.CharField(blank=True, default='', max_length=255)),
                        ('stripe_subscription_id', models.CharField(blank=True, db_index=True, default='', max_length=255)),
                        ('stripe_invoice_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('subscription_ended_at', models.DateTimeField(blank=True, null=True)),
                        ('paid_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='donations', to='campaigns.campaign')),
                        ('period', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='donations', to='campaigns.period')),
                    ],
                    options={
                        'db_table': 'campaigns_donation',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['period', 'status'], name='campaigns_d_period__982d46_idx')],
                        'constraints': [
                            models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='donation_amount_positive'),
                            models.CheckConstraint(condition=models.Q(('amount_refunded__lte', models.F('amount'))), name='donation_refund_le_amount'),
                            models.CheckConstraint(condition=models.Q(('amount_disputed__lte', models.F('amount'))), name='donation_dispute_le_amount'),
                            models.CheckConstraint(condition=models.Q(('paid_at__isnull', True), ('period__isnull', False), _connector='OR'), name='donation_paid_has_period'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_back),
    ]
