JOBS_RUN_ORDER = [
    {'job_name': 'a', 'depends_on': [], 'fail_dag_on_error': 'yes'},
]
