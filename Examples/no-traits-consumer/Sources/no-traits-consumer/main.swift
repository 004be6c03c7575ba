import AuthKit

// Log in and check the token, in memory: AuthKit works without any framework in the build.
let auth = try await AuthKit(
    configuration: AuthKitConfiguration(
        issuer: "https://api.example.com",
        audience: "api",
        signingKeys: [try JWTKey.generate(.es256)]
    )
)
let pair = try await auth.login(userID: "42")
let user = try await auth.authenticate(bearer: "Bearer \(pair.accessToken)")
print("no-traits-consumer: authenticated \(user.userID)")
