"""The pipeline layer: after the ledger changes, periods are recomputed, milestones recorded and widgets
re-rendered, in Celery tasks (fundraising/pipeline/tasks.py). Above widgets, below payments."""
