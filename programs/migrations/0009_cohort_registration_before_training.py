from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_cohort_registration_closes_before_training"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="cohort",
            constraint=models.CheckConstraint(
                condition=models.Q(("registration_closes__isnull", True))
                | models.Q(("registration_closes__lt", models.F("starts_on"))),
                name="programs_cohort_registration_before_training",
                violation_error_message="Registration must close before the training starts.",
            ),
        ),
    ]
