"""The performance benchmark behind `python manage.py bench` (issue 10).

`build` fills a separate, freshly created database with a synthetic
voivodeship-wide dataset (raw COPY on PostgreSQL, executemany on SQLite,
explicit primary keys so foreign keys are consistent without round trips);
`measure` times the pages in-process against it and compares the permission
layer (`visible`) with the floor (`owned_by`, no guardian). An app without
models, installed only so its command is found (the core never imports it).
"""
