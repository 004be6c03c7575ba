// swift-tools-version:6.1
import PackageDescription

// The Vapor twin of authkit-server: the same HTTP contract and flags, on AuthKit's Vapor integration (the
// `Vapor` trait) plus demo users.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "authkit-vapor-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "authkit-vapor-server", targets: ["authkit-vapor-server"])
    ],
    dependencies: [
        .package(name: "AuthKit", path: "../..", traits: ["Vapor"]),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "AuthKitVaporServer",
            dependencies: [
                .product(name: "AuthKitVapor", package: "AuthKit"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "authkit-vapor-server",
            dependencies: [
                "AuthKitVaporServer",
                .product(name: "AuthKit", package: "AuthKit"),
                .product(name: "AuthKitRedis", package: "AuthKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Vapor", package: "vapor"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
