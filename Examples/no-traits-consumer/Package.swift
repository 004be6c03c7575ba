// swift-tools-version:6.1
import PackageDescription

// An app that depends on AuthKit without enabling a trait: its build must contain nothing of Hummingbird or Vapor
// (`check.sh` builds it in a fresh scratch folder and searches the log and the checkouts for them).
let package = Package(
    name: "no-traits-consumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AuthKit", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "no-traits-consumer",
            dependencies: [.product(name: "AuthKit", package: "AuthKit")],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]
        )
    ],
    swiftLanguageModes: [.v6]
)
