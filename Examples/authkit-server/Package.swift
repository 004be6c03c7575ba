// swift-tools-version:6.1
import PackageDescription

// The HTTP server example: AuthKit's Hummingbird integration (the `Hummingbird` trait) plus demo users.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "authkit-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "authkit-server", targets: ["authkit-server"])
    ],
    dependencies: [
        .package(name: "AuthKit", path: "../..", traits: ["Hummingbird"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "AuthKitServer",
            dependencies: [
                .product(name: "AuthKitHummingbird", package: "AuthKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "authkit-server",
            dependencies: [
                "AuthKitServer",
                .product(name: "AuthKit", package: "AuthKit"),
                .product(name: "AuthKitRedis", package: "AuthKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitServerTests",
            dependencies: [
                "AuthKitServer",
                .product(name: "AuthKitRedis", package: "AuthKit"),
                .product(name: "AuthKitTesting", package: "AuthKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
