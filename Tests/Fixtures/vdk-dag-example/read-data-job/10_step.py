def run(job_input):
    print("read-data-job ran with", job_input.get_arguments())
