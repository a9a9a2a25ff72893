JOBS_RUN_ORDER = [
    {"job_name": "a", "depends_on": [],
