def run(job_input):
    print("no DAG here")
