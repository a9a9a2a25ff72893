import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import MetaJobRunner

/// The client's token rules with a scripted transport: no socket, a manual clock.
@Suite("Control Service client: access tokens (no socket)")
struct ControlServiceClientTests {
    static let refresh = "rt-SECRET-1"

    /// A client whose service takes only the access token `valid()` names, and whose authorization server
    /// hands out `at-1`, `at-2`, … each `lifetime` seconds long.
    final class Service: @unchecked Sendable {
        let queue = DispatchQueue(label: "client-test")
        var sender: ScriptedSender!
        var client: ControlServiceClient!
        private var grants = 0
        private var accepted: String?

        init(lifetime: Double = 3600, token: Bool = true, acceptsNewTokens: Bool = true) {
            sender = ScriptedSender(queue: queue) { [unowned self] request in
                if request.url?.path == "/oauth/token" {
                    grants += 1
                    if acceptsNewTokens || accepted == nil { accepted = "at-\(grants)" }
                    return ScriptedSender.json(200, ["access_token": "at-\(grants)", "expires_in": lifetime])
                }
                if token && request.value(forHTTPHeaderField: "Authorization") != "Bearer " + (accepted ?? "-") {
                    return ScriptedSender.json(401, ["messages": ["not authorized"]])
                }
                return ScriptedSender.json(200, ["id": "a-1", "status": "running"])
            }
            let configuration = RemoteConfiguration(baseURL: URL(string: "https://cs.example.com")!,
                                                    apiToken: token ? ControlServiceClientTests.refresh : nil,
                                                    authorizationURL: token ? URL(string: "https://auth.example.com/oauth/token") : nil)
            client = ControlServiceClient(queue: queue, configuration: configuration, transport: sender, clock: sender)
        }

        /// Expires the access token the service accepts (a new one is needed). Only between reads.
        func revoke() { accepted = "revoked" }

        /// Sends a status read and waits for its answer.
        func read() -> Int? {
            let done = DispatchSemaphore(value: 0)
            let box = Box()
            queue.async { [self] in
                client.send("GET", "/data-jobs/for-team/t/jobs/a/executions/a-1") { result in
                    if case .success(let reply) = result { box.status = reply.status }
                    done.signal()
                }
            }
            _ = done.wait(timeout: .now() + 10)
            return box.status
        }

        var apiAuthorizations: [String?] {
            sender.requests.filter { $0.url?.path != "/oauth/token" }.map { $0.value(forHTTPHeaderField: "Authorization") }
        }
        var grantRequests: [URLRequest] { sender.requests.filter { $0.url?.path == "/oauth/token" } }
    }

    final class Box: @unchecked Sendable { var status: Int? }

    @Test func a401RefreshesTheTokenOnceAndSendsTheRequestAgain() {
        let service = Service()
        #expect(service.read() == 200)
        service.revoke()
        #expect(service.read() == 200)
        #expect(service.apiAuthorizations == ["Bearer at-1", "Bearer at-1", "Bearer at-2"])
        #expect(service.grantRequests.count == 2)
        let form = service.grantRequests.map { String(decoding: $0.httpBody ?? Data(), as: UTF8.self) }
        #expect(form.allSatisfy { $0 == "grant_type=refresh_token&refresh_token=rt-SECRET-1" })
        #expect(service.grantRequests.allSatisfy { $0.value(forHTTPHeaderField: "Content-Type") == "application/x-www-form-urlencoded" })
    }

    @Test func a401AfterTheRefreshIsTheAnswerNotALoop() {
        let service = Service(acceptsNewTokens: false)
        service.revoke()
        #expect(service.read() == 401)
        #expect(service.apiAuthorizations.count == 2 && service.grantRequests.count == 2)
    }

    @Test func theTokenIsRefreshedAMinuteBeforeItExpires() {
        let service = Service(lifetime: 600)
        #expect(service.read() == 200)
        service.sender.advance(by: 539)
        #expect(service.read() == 200)
        #expect(service.grantRequests.count == 1, "still good: 61 s left")
        service.sender.advance(by: 2)
        #expect(service.read() == 200)
        #expect(service.grantRequests.count == 2, "59 s left: refreshed first")
        #expect(service.apiAuthorizations == ["Bearer at-1", "Bearer at-1", "Bearer at-2"])
    }

    @Test func withoutATokenNoAuthorizationHeaderIsSent() {
        let service = Service(token: false)
        #expect(service.read() == 200)
        #expect(service.apiAuthorizations == [nil] && service.grantRequests.isEmpty)
    }
}
