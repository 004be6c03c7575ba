import AuthKit

extension AuthKitHTTPConformance {
    /// What a check works with: a client of the app, the clock, and the store's outage.
    public struct Fixture: Sendable {
        let name: String
        /// The framework's test client.
        public let client: any AuthKitHTTPTestClient
        /// The clock AuthKit and its store read.
        public let clock: ManualClock
        let outage: @Sendable () async -> Void

        /// The tokens of a login or a refresh.
        struct Tokens {
            let access: String
            let refresh: String
        }

        /// Sends a request, with `Authorization: Bearer token`, a JSON or a form body.
        func send(
            _ method: String,
            _ path: String,
            token: String? = nil,
            json: String? = nil,
            form: [(String, String)]? = nil,
            authorization: String? = nil
        ) async throws -> AuthKitHTTPTestResponse {
            var headers: [(name: String, value: String)] = []
            if let token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
            if let authorization { headers.append((name: "Authorization", value: authorization)) }
            var body = ""
            if let json {
                headers.append((name: "Content-Type", value: "application/json"))
                body = json
            }
            if let form {
                headers.append((name: "Content-Type", value: "application/x-www-form-urlencoded"))
                body = form.map { "\(Self.formEncoded($0.0))=\(Self.formEncoded($0.1))" }.joined(separator: "&")
            }
            return try await client.send(AuthKitHTTPTestRequest(method, path, headers: headers, body: body))
        }

        /// `POST /login`, expected to succeed.
        func login(_ user: String, device: String = "test") async throws -> Tokens {
            let response = try await send(
                "POST",
                "/login",
                json: #"{"username":"\#(user)","password":"\#(user)-password","device":"\#(device)"}"#
            )
            try expect(response.status == 200, "login of \(user): \(response)")
            return Tokens(access: try string(response, "access_token"), refresh: try string(response, "refresh_token"))
        }

        /// `POST /refresh` of `refresh`, expected to succeed.
        func refresh(_ refresh: String) async throws -> Tokens {
            let response = try await send("POST", "/refresh", json: #"{"refresh_token":"\#(refresh)"}"#)
            try expect(response.status == 200, "refresh: \(response)")
            return Tokens(access: try string(response, "access_token"), refresh: try string(response, "refresh_token"))
        }

        /// `POST /revoke` of `token`, with a hint when given.
        func revoke(_ token: String, hint: String? = nil, bearer: String? = nil) async throws -> AuthKitHTTPTestResponse
        {
            var form = [("token", token)]
            if let hint { form.append(("token_type_hint", hint)) }
            return try await send("POST", "/revoke", token: bearer, form: form)
        }

        /// `POST /introspect` of `token` by the caller holding `bearer`, with a hint when given.
        func introspect(
            _ token: String,
            by bearer: String?,
            hint: String? = nil
        ) async throws -> AuthKitHTTPTestResponse {
            var form = [("token", token)]
            if let hint { form.append(("token_type_hint", hint)) }
            return try await send("POST", "/introspect", token: bearer, form: form)
        }

        /// Throws a ``ConformanceFailure`` naming the check unless `condition` holds.
        func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            try ConformanceFailure.require(condition, name, message())
        }

        /// Checks an error answer: the status, JSON `{"error": code, "message": …}`.
        func expectError(_ response: AuthKitHTTPTestResponse, _ status: Int, _ code: String) throws {
            try expect(response.status == status, "expected \(status) \(code), got \(response)")
            try expect(response.header("Content-Type")?.hasPrefix("application/json") == true, "JSON: \(response)")
            try expect(try string(response, "error") == code, "expected error \(code), got \(response)")
            try expect(try !string(response, "message").isEmpty, "a message: \(response)")
        }

        /// Checks a 401 for a bad token, with `WWW-Authenticate: Bearer error="invalid_token"`.
        func expectInvalidToken(_ response: AuthKitHTTPTestResponse) throws {
            try expectError(response, 401, "invalid_token")
            let challenge = response.header("WWW-Authenticate")
            try expect(
                challenge == #"Bearer error="invalid_token""#,
                "the invalid_token challenge, got \(challenge ?? "none")"
            )
        }

        /// Checks a 503 for a store outage: `store_unavailable`, `Retry-After`, and no internals in the message.
        func expectOutage(_ response: AuthKitHTTPTestResponse) throws {
            try expectError(response, 503, "store_unavailable")
            try expect(
                response.header("Retry-After") == "5",
                "Retry-After: 5, got \(response.header("Retry-After") ?? "none")"
            )
            try expect(
                !response.body.contains("Unreachable") && !response.body.contains("Redis"),
                "internals: \(response)"
            )
        }

        /// Checks the `RateLimit-Policy` and `RateLimit` fields of policy `name`.
        func expectRateLimitFields(_ response: AuthKitHTTPTestResponse, _ name: String, remaining: Int? = nil) throws {
            let policy = response.header("RateLimit-Policy") ?? ""
            let state = response.header("RateLimit") ?? ""
            try expect(policy.hasPrefix("\"\(name)\";q="), "RateLimit-Policy of \(name), got \(policy)")
            try expect(state.hasPrefix("\"\(name)\";r="), "RateLimit of \(name), got \(state)")
            if let remaining {
                try expect(state.hasPrefix("\"\(name)\";r=\(remaining);"), "\(remaining) left of \(name), got \(state)")
            }
        }

        /// The body's JSON object.
        func object(_ response: AuthKitHTTPTestResponse) throws -> JSONObject {
            guard let object = (try? JSONValue(parsing: response.body))?.objectValue else {
                throw ConformanceFailure(check: name, message: "not a JSON object: \(response)")
            }
            return object
        }

        /// A string member of the body's JSON object.
        func string(_ response: AuthKitHTTPTestResponse, _ member: String) throws -> String {
            guard let value = try object(response)[member]?.stringValue else {
                throw ConformanceFailure(check: name, message: "no string \"\(member)\" in \(response)")
            }
            return value
        }

        private static func formEncoded(_ text: String) -> String {
            var encoded = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: "~"):
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded
                }
            }
            return encoded
        }
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
