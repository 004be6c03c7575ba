// Runs only with the Hummingbird trait: swift test --traits Hummingbird
