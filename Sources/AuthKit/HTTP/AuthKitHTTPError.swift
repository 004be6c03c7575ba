/// An error as an HTTP answer: the status, a stable machine-readable code, a message for people, and the headers the
/// status calls for. The one mapping of AuthKit's errors to HTTP, shared by the Hummingbird and Vapor integrations.
///
/// | Error | Status | `error` | Headers |
/// | --- | --- | --- | --- |
/// | no `Authorization` header | 401 | `missing_credentials` | `WWW-Authenticate: Bearer` (RFC 6750 §3.1) |
/// | `invalidToken`, `tokenRevoked`, `sessionEnded`, `invalidRefreshToken`, `refreshTokenReused` | 401 | `invalid_token` | `WWW-Authenticate: Bearer error="invalid_token"` |
/// | `forbidden` | 403 | `forbidden` | `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` |
/// | `sessionLimitReached` | 403 | `session_limit_reached` | |
/// | `invalidArgument` | 400 | `bad_request` | |
/// | a rate limit's refusal | 429 | `rate_limited` | `Retry-After`, `RateLimit-Policy`, `RateLimit` |
/// | `storeUnavailable` (and the rate limiter's or permission cache's store outage) | 503 | `store_unavailable` | `Retry-After` |
/// | `keysUnavailable` | 503 | `keys_unavailable` | `Retry-After` |
/// | anything else | 500 | `internal_error` | |
///
/// An outage is never a 401 (the client did nothing wrong) and never a 200 (nothing was checked). The body is
/// `{"error": code, "message": …}`; messages name no token, secret or password, and a 5xx says nothing of the
/// store's internals (``logDetail`` keeps them for the server's log).
public struct AuthKitHTTPError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var statusCode: Int
    /// The stable code, the body's `error` member (`invalid_token`, `store_unavailable`, …).
    public var code: String
    /// A human-readable explanation, the body's `message` member.
    public var message: String
    /// The header fields the answer carries (`WWW-Authenticate`, `Retry-After`, rate-limit fields).
    public var headerFields: [(name: String, value: String)]
    /// What went wrong in the server's own terms, for its log only (the underlying error of a 5xx); nil for errors
    /// that are the client's.
    public var logDetail: String?

    /// The seconds a client is asked to wait before trying again after an outage.
    public static let outageRetryAfterSeconds = 5

    /// Creates an error answer.
    public init(
        statusCode: Int,
        code: String,
        message: String,
        headerFields: [(name: String, value: String)] = [],
        logDetail: String? = nil
    ) {
        self.statusCode = statusCode
        self.code = code
        self.message = message
        self.headerFields = headerFields
        self.logDetail = logDetail
    }

    /// The answer for `error` when AuthKit knows it (an `AuthKitHTTPError`, an ``AuthKitError``, or the rate
    /// limiter's and permission cache's store outages), nil for any other error, which the integration maps itself.
    public init?(recognizing error: any Error) {
        switch error {
        case let error as AuthKitHTTPError:
            self = error
        case let error as AuthKitError:
            self = Self.mapping(error)
        case let error as RateLimitError where error.code == .storeUnavailable:
            self = .outage("store_unavailable", "the rate limiter's store cannot be reached", detail: error.description)
        case let error as PermissionCacheError
        where error.code == .storeUnavailable || error.code == .channelUnavailable:
            self = .outage("store_unavailable", "the permission store cannot be reached", detail: error.description)
        default:
            return nil
        }
    }

    /// The answer for any error: AuthKit's own as ``init(recognizing:)`` maps them, anything else a 500 whose
    /// details go to ``logDetail`` only.
    public init(_ error: any Error) {
        self = Self(recognizing: error) ?? .internalError(String(describing: error))
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(statusCode) \(code): \(message)" }

    /// The JSON body: `{"error": code, "message": message}`.
    public var body: String {
        var object = JSONObject()
        object["error"] = .string(code)
        object["message"] = .string(message)
        return JSONValue.object(object).jsonTextOrEmpty
    }

    /// The value of the first header named `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        headerFields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// This error with `extra` headers appended (the rate-limit fields of a charged request).
    public func adding(_ extra: [(name: String, value: String)]) -> AuthKitHTTPError {
        var copy = self
        copy.headerFields += extra
        return copy
    }

    // MARK: The answers

    /// 401 for a request without credentials on a route that needs them: `WWW-Authenticate: Bearer` with no error
    /// code, as RFC 6750 §3.1 asks.
    public static let missingCredentials = AuthKitHTTPError(
        statusCode: 401,
        code: "missing_credentials",
        message: "this route needs an Authorization: Bearer access token",
        headerFields: [(name: "WWW-Authenticate", value: "Bearer")]
    )

    /// 401 for a bearer token (access or refresh) that is malformed, expired, revoked or of an ended session.
    public static func invalidToken(_ message: String) -> AuthKitHTTPError {
        AuthKitHTTPError(
            statusCode: 401,
            code: "invalid_token",
            message: message,
            headerFields: [(name: "WWW-Authenticate", value: #"Bearer error="invalid_token""#)]
        )
    }

    /// 403 for a principal without the permissions a route needs; `scope` (space-separated permissions) goes into
    /// the RFC 6750 `insufficient_scope` challenge.
    public static func insufficientScope(_ message: String, scope: String?) -> AuthKitHTTPError {
        var challenge = #"Bearer error="insufficient_scope""#
        if let scope, let quoted = quotedString(scope) { challenge += ", scope=\(quoted)" }
        return AuthKitHTTPError(
            statusCode: 403,
            code: "forbidden",
            message: message,
            headerFields: [(name: "WWW-Authenticate", value: challenge)]
        )
    }

    /// 400 for a request whose body or parameters are not what the route reads.
    public static func badRequest(_ message: String) -> AuthKitHTTPError {
        AuthKitHTTPError(statusCode: 400, code: "bad_request", message: message)
    }

    /// 429 for a request a rate limit refused, with `Retry-After` and the rate-limit fields of `decision`.
    public static func rateLimited(_ decision: RateLimitDecision) -> AuthKitHTTPError {
        AuthKitHTTPError(
            statusCode: 429,
            code: "rate_limited",
            message: "too many requests under the \"\(decision.policy.name)\" limit; see Retry-After",
            headerFields: decision.headers()
        )
    }

    /// 500 for an error AuthKit does not know; `detail` is for the log only.
    public static func internalError(_ detail: String) -> AuthKitHTTPError {
        AuthKitHTTPError(
            statusCode: 500,
            code: "internal_error",
            message: "the server could not answer",
            logDetail: detail
        )
    }

    /// 503 with `Retry-After`: the cause (a connection error, a server message) is for the log, not for clients.
    static func outage(_ code: String, _ message: String, detail: String) -> AuthKitHTTPError {
        AuthKitHTTPError(
            statusCode: 503,
            code: code,
            message: "\(message); try again shortly",
            headerFields: [(name: "Retry-After", value: "\(outageRetryAfterSeconds)")],
            logDetail: detail
        )
    }

    private static func mapping(_ error: AuthKitError) -> AuthKitHTTPError {
        switch error.code {
        case .invalidToken, .tokenRevoked, .sessionEnded, .invalidRefreshToken, .refreshTokenReused:
            return .invalidToken(error.message)
        case .forbidden:
            return .insufficientScope(error.message, scope: error.requiredScope)
        case .sessionLimitReached:
            return AuthKitHTTPError(statusCode: 403, code: "session_limit_reached", message: error.message)
        case .invalidArgument:
            return .badRequest(error.message)
        case .storeUnavailable:
            return .outage("store_unavailable", "the authentication store cannot be reached", detail: error.message)
        case .keysUnavailable:
            return .outage("keys_unavailable", "the keys to check tokens cannot be had", detail: error.message)
        default:
            return .internalError(error.description)
        }
    }

    /// `text` as an RFC 9110 quoted-string, or nil when it holds a character a quoted-string cannot.
    private static func quotedString(_ text: String) -> String? {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            guard scalar == "\t" || (scalar.value >= 0x20 && scalar.value < 0x7F) else { return nil }
            if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}

extension JSONValue {
    /// The JSON text of a value built from strings, numbers and Booleans, which always has one.
    var jsonTextOrEmpty: String {
        (try? jsonText()) ?? "{}"
    }
}

extension AuthKitHTTPError {
    /// The answer for an HTTP error a framework raised itself (no route, a body too large, a bad request body), so
    /// that clients meet one error format whatever failed: the status, a code named after it, and `message` (its
    /// reason phrase when nil).
    public static func framework(
        statusCode: Int,
        message: String?,
        reasonPhrase: String,
        headerFields: [(name: String, value: String)] = []
    ) -> AuthKitHTTPError {
        let code =
            switch statusCode {
            case 400: "bad_request"
            case 401: "unauthorized"
            case 403: "forbidden"
            case 404: "not_found"
            case 405: "method_not_allowed"
            case 413: "content_too_large"
            case 415: "unsupported_media_type"
            case 429: "rate_limited"
            case 503: "unavailable"
            default: statusCode < 500 ? "client_error" : "internal_error"
            }
        let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? reasonPhrase
        return AuthKitHTTPError(statusCode: statusCode, code: code, message: text, headerFields: headerFields)
    }
}
