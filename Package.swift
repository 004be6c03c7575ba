// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AuthKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "JWTCore", targets: ["JWTCore"]),
        .library(name: "AuthKitClock", targets: ["AuthKitClock"]),
        .library(name: "AuthKitTesting", targets: ["AuthKitTesting"]),
        .executable(name: "authkit", targets: ["authkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CAuthKitOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CAuthKitHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]
        ),
        .target(name: "AuthKitClock", swiftSettings: strictSettings),
        .target(name: "AuthKitTesting", dependencies: ["AuthKitClock"], swiftSettings: strictSettings),
        .target(
            name: "JWTCore",
            dependencies: ["CAuthKitOpenSSL", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "authkit",
            dependencies: [
                "JWTCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/authkit",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JWTCoreTests",
            dependencies: ["JWTCore", "AuthKitClock", "AuthKitTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["AuthKitTesting"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
