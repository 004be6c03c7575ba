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
        .library(name: "TokenStore", targets: ["TokenStore"]),
    ],
    dependencies: [],
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
        .target(name: "AuthKitTesting", dependencies: ["AuthKitClock", "TokenStore"], swiftSettings: strictSettings),
        .target(
            name: "JWTCore",
            dependencies: ["CAuthKitOpenSSL", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .target(name: "TokenStore", dependencies: ["AuthKitClock"], swiftSettings: strictSettings),
        .testTarget(
            name: "TokenStoreTests",
            dependencies: ["TokenStore", "AuthKitTesting", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
