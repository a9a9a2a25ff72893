def run(job_input):
    print("ingest-job2 ran with", job_input.get_arguments())
