// Runs only with the Vapor trait: swift test --traits Vapor
