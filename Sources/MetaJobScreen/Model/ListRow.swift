/// One row of the job list (`l`) and the timeline: a level heading or a job.
enum ListRow: Sendable, Equatable {
    case level(Int, jobs: Int)
    case job(Int)
}
