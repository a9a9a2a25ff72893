import Foundation
import MetaJobCore
import MetaJobRunner

/// Builds the remote executor's configuration from the resolved settings and the environment (VDK's names),
/// with an error that says what to set when something is missing.
enum RemoteSettingsResolver {
    /// The configuration for a run whose `remoteJobs` use the remote executor; throws when the service URL,
    /// a team or the credentials are missing or malformed.
    static func resolve(_ configuration: ResolvedConfiguration, environment: Environment, remoteJobs: [JobDefinition],
                        adopt: [String: String]) throws(ConfigurationError) -> RemoteConfiguration {
        guard let raw = configuration.controlServiceURL?.trimmingSpaces, !raw.isEmpty else {
            throw ConfigurationError("job \(remoteJobs[0].name) runs on the Control Service, but no service URL is set. Set `control_service_url: https://…` in the definition or VDK_CONTROL_SERVICE_REST_API_URL in the environment, or run it with `--executor local`.")
        }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw ConfigurationError("the Control Service URL \(raw) is not valid: expected http(s)://host[:port][/path], e.g. https://vdk.example.com.")
        }
        let teamless = remoteJobs.filter { ($0.teamName ?? "").isEmpty }.map(\.name)
        if !teamless.isEmpty {
            throw ConfigurationError("job\(teamless.count == 1 ? "" : "s") \(teamless.prefix(10).joined(separator: ", ")) run\(teamless.count == 1 ? "s" : "") on the Control Service but \(teamless.count == 1 ? "has" : "have") no team_name. Add `team_name: …` to each job, or `team: …` at the top level of the definition.")
        }
        let token = environment["VDK_API_TOKEN"]
        var authorizationURL: URL?
        if token != nil {
            guard let rawAuth = environment["VDK_API_TOKEN_AUTHORIZATION_URL"], let auth = URL(string: rawAuth.trimmingSpaces),
                  auth.scheme != nil, auth.host != nil else {
                throw ConfigurationError("VDK_API_TOKEN is set but VDK_API_TOKEN_AUTHORIZATION_URL is missing or not a URL: set it to the OAuth2 token endpoint the refresh token is exchanged at.")
            }
            authorizationURL = auth
        }
        var verify = true
        if let value = environment["VDK_CONTROL_HTTP_VERIFY_SSL"] {
            switch value.trimmingSpaces.lowercased() {
            case "true", "1", "yes": verify = true
            case "false", "0", "no": verify = false
            default: throw ConfigurationError("VDK_CONTROL_HTTP_VERIFY_SSL=\(value) is not valid: expected true or false.")
            }
        }
        var timeout = 60.0
        if let value = environment["VDK_CONTROL_HTTP_READ_TIMEOUT_SECONDS"] {
            guard let seconds = Double(value.trimmingSpaces), seconds > 0, seconds.isFinite else {
                throw ConfigurationError("VDK_CONTROL_HTTP_READ_TIMEOUT_SECONDS=\(value) is not valid: expected a number of seconds > 0, e.g. 60.")
            }
            timeout = seconds
        }
        return RemoteConfiguration(baseURL: url, statusCheckSeconds: configuration.timeBetweenStatusCheckSeconds,
                                   apiToken: token, authorizationURL: authorizationURL, verifyTLS: verify,
                                   requestTimeoutSeconds: timeout, adoptExecutions: adopt)
    }

    /// What the user should know about `configuration` before the run starts.
    static func warnings(_ configuration: RemoteConfiguration) -> [String] {
        #if os(Linux)
        if !configuration.verifyTLS {
            return ["warning: VDK_CONTROL_HTTP_VERIFY_SSL=false has no effect on Linux: URLSession (libcurl) there always verifies the Control Service's TLS certificate. If the certificate is self-signed, add its CA to the system trust store (copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates).\n"]
        }
        #endif
        return []
    }
}
