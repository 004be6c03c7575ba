// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for AuthKit's parsers of hostile input, built with `swift build --sanitize=fuzzer
// --sanitize=address` (see `make fuzz`). A package of its own so that the main build never links libFuzzer.
let fuzzSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "AuthKitFuzz",
    dependencies: [
        .package(name: "AuthKit", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "fuzz-jwt",
            dependencies: [.product(name: "JWTCore", package: "AuthKit")],
            swiftSettings: fuzzSettings
        ),
        .executableTarget(
            name: "fuzz-jwk",
            dependencies: [.product(name: "JWTCore", package: "AuthKit")],
            swiftSettings: fuzzSettings
        ),
        .executableTarget(
            name: "fuzz-resp",
            dependencies: [.product(name: "RedisClient", package: "AuthKit")],
            swiftSettings: fuzzSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
