JOBS_RUN_ORDER = [
    {"job_name": "a", "depends_on": ["b"]},
    {"job_name": "b", "depends_on": ["a"]},
]
