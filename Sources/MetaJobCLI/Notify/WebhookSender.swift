import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MetaJobScreen

/// POSTs a notification's body to a webhook, within a timeout. Anything but a 2xx answer is a failure.
enum WebhookSender {
    /// Sends `body` (JSON) to `url`; returns whether the server took it and what happened.
    static func post(_ body: Data, to url: String, timeout: Double) -> (ok: Bool, detail: String) {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https", target.host != nil else {
            return (false, "not an http(s) URL")
        }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("metajob/\(MetajobCommand.version)", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }

        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: (ok: Bool, detail: String) = (false, "no answer")
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                answer = (false, "cannot deliver: \(TerminalSanitizer.sanitizeText(error.localizedDescription))")
            } else if let http = response as? HTTPURLResponse {
                if (200 ..< 300).contains(http.statusCode) {
                    answer = (true, "HTTP \(http.statusCode)")
                } else {
                    answer = (false, "HTTP \(http.statusCode)" + HookCommandRunner.lastLine((data ?? Data()).prefix(300)))
                }
            }
            done.signal()
        }
        task.resume()
        // The session's own timeout normally answers first; this bounds a server that trickles bytes.
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            task.cancel()
            return (false, "timed out after \(TimeFormat.duration(timeout))")
        }
        return answer
    }

    /// The URL as reports show it: scheme, host and port only (a webhook's path often holds its secret token).
    static func shown(_ url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "(invalid URL)" }
        return "\(scheme)://\(host)\(parsed.port.map { ":\($0)" } ?? "")/…"
    }
}
