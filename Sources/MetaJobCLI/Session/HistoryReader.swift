import Dispatch
import MetaJobHistory
import MetaJobScreen

/// The dashboard's reads of the run history, on a queue of their own (never the UI queue): each answers with
/// a message for the model, delivered through `answer`.
final class HistoryReader: @unchecked Sendable {
    private let queue = DispatchQueue(label: "metajob.dashboard.history")
    private let path: String
    /// Owned by `queue`; opened on first use (the store runs record into, when there is one).
    private var store: HistoryStore?

    init(path: String, store: HistoryStore?) {
        self.path = path
        self.store = store
    }

    /// Runs `query` on the history queue and hands its message (or `.failed`) to `answer`.
    func read(_ query: @escaping @Sendable (HistoryStore) throws -> DashboardMessage,
              answer: @escaping @Sendable (DashboardMessage) -> Void) {
        queue.async { [self] in
            do {
                answer(try query(try open()))
            } catch let error as HistoryError {
                answer(.failed("\(error)"))
            } catch {
                answer(.failed("reading the run history at \(path) failed: \(error)"))
            }
        }
    }

    /// What resuming `runId` runs, with the store to record it in, made on the history queue.
    func resumeSource(_ runId: String,
                      answer: @escaping @Sendable (Result<(RunSource, HistoryStore), ResumeSource.Problem>) -> Void) {
        queue.async { [self] in
            let store: HistoryStore
            do {
                store = try open()
            } catch {
                answer(.failure(.init(message: "cannot open the run history at \(path): \(error)")))
                return
            }
            do throws(ResumeSource.Problem) {
                answer(.success((try ResumeSource.make(store: store, runID: runId, jobs: []), store)))
            } catch {
                answer(.failure(error))
            }
        }
    }

    private func open() throws -> HistoryStore {
        dispatchPrecondition(condition: .onQueue(queue))
        if let store { return store }
        let opened = try HistoryStore(path: path)
        store = opened
        return opened
    }
}
