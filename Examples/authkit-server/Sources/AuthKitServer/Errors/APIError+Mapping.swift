import AuthKit
import Hummingbird
public import Logging
import PermissionCache
import RateLimiter

extension APIError {
    /// The response for any error a route throws: AuthKit's errors by their code, Hummingbird's by their
    /// status, anything else as a 500 whose details go to the log only.
    public init(_ error: any Error, logger: Logger) {
        switch error {
        case let error as APIError:
            self = error
        case let error as AuthKitError:
            self.init(error, logger: logger)
        case let error as PermissionCacheError
        where error.code == .storeUnavailable || error.code == .channelUnavailable:
            self = .storeUnavailable(error.description, logger: logger)
        case let error as RateLimitError where error.code == .storeUnavailable:
            self = .storeUnavailable(error.description, logger: logger)
        case let error as HTTPError:
            self.init(
                error.status,
                code: Self.code(for: error.status),
                message: error.body ?? error.status.reasonPhrase
            )
        case let error as any HTTPResponseError:
            self.init(error.status, code: Self.code(for: error.status), message: error.status.reasonPhrase)
        default:
            logger.error("unexpected error", metadata: ["error": "\(error)"])
            self.init(.internalServerError, code: "internal_error", message: "the server could not answer")
        }
    }

    private init(_ error: AuthKitError, logger: Logger) {
        switch error.code {
        case .invalidToken, .tokenRevoked, .sessionEnded, .invalidRefreshToken, .refreshTokenReused:
            self = .invalidToken(error.message)
        case .forbidden, .sessionLimitReached:
            self.init(.forbidden, code: "forbidden", message: error.message)
        case .storeUnavailable:
            self = .storeUnavailable(error.message, logger: logger)
        case .invalidArgument:
            self.init(.badRequest, code: "bad_request", message: error.message)
        default:
            logger.error("AuthKit error", metadata: ["error": "\(error)"])
            self.init(.internalServerError, code: "internal_error", message: "the server could not answer")
        }
    }

    /// A 503: the cause (a connection error, a server message) is for operators, not for clients.
    private static func storeUnavailable(_ detail: String, logger: Logger) -> APIError {
        logger.error("store unavailable", metadata: ["error": "\(detail)"])
        return APIError(
            .serviceUnavailable,
            code: "store_unavailable",
            message: "the authentication store cannot be reached; try again shortly",
            headers: [.retryAfter: "5"]
        )
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "content_too_large"
        case .tooManyRequests: "rate_limited"
        case .serviceUnavailable: "unavailable"
        default: status.code < 500 ? "client_error" : "internal_error"
        }
    }
}
