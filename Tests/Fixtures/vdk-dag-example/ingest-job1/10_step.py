def run(job_input):
    print("ingest-job1 ran with", job_input.get_arguments())
