import Foundation
import MetaJobCore

/// How the remote executor reaches the VDK Control Service: its URL, credentials, TLS, timing.
public struct RemoteConfiguration: Sendable {
    /// The Control Service's REST API root (`control_service_url` / `VDK_CONTROL_SERVICE_REST_API_URL`).
    public var baseURL: URL
    /// Seconds between two status checks of one running execution (`time_between_status_check_seconds`).
    public var statusCheckSeconds: Double
    /// The OAuth2 refresh token (`VDK_API_TOKEN`); nil when the service needs no authentication.
    public var apiToken: String?
    /// Where the refresh token is exchanged for access tokens (`VDK_API_TOKEN_AUTHORIZATION_URL`).
    public var authorizationURL: URL?
    /// False only when `VDK_CONTROL_HTTP_VERIFY_SSL=false`.
    public var verifyTLS: Bool
    /// Seconds before a request without an answer counts as timed out.
    public var requestTimeoutSeconds: Double
    /// Executions to re-attach instead of starting, by job name → execution id (resume after an interruption).
    public var adoptExecutions: [String: String]
    /// The deployment executions are started from.
    public var deploymentId: String
    /// What each job (by name) usually takes, from the history: its status checks are timed by it
    /// (`StatusCheckSchedule`). A job not named here is checked every `statusCheckSeconds`.
    public var expectedDurations: [String: DurationEstimate]

    /// A configuration; everything but the URL has the VDK plugin's default.
    public init(baseURL: URL, statusCheckSeconds: Double = 40, apiToken: String? = nil, authorizationURL: URL? = nil,
                verifyTLS: Bool = true, requestTimeoutSeconds: Double = 60, adoptExecutions: [String: String] = [:],
                deploymentId: String = "production",
                expectedDurations: [String: DurationEstimate] = [:]) {
        self.baseURL = baseURL
        self.statusCheckSeconds = statusCheckSeconds
        self.apiToken = apiToken
        self.authorizationURL = authorizationURL
        self.verifyTLS = verifyTLS
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.adoptExecutions = adoptExecutions
        self.deploymentId = deploymentId
        self.expectedDurations = expectedDurations
    }
}
