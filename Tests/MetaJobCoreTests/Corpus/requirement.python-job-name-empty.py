from vdk.plugin.dag.dag_runner import DagInput

JOBS_RUN_ORDER = [
    {"job_name": "", "depends_on": []},
]

def run(job_input):
    DagInput().run_dag(JOBS_RUN_ORDER)
