import AuthKitTesting
import Testing

@testable import RateLimiter

/// The selection behind the in-memory store's eviction: after `partitionSmallest(k)` the first `k` elements are `k`
/// smallest ones, whatever the input, duplicates (the common case) included.
@Suite("Array.partitionSmallest")
struct PartitionSmallestTests {
    @Test("the first k elements are the k smallest", arguments: [1, 2, 5, 10, 50])
    func selectsTheSmallest(distinctValues: Int) {
        var generator = SeededGenerator(seed: UInt64(distinctValues))
        for size in [1, 2, 3, 10, 100, 1_000] {
            for count in Set([0, 1, size / 8, size / 2, size - 1, size, size + 1]) {
                var values = (0..<size).map { _ in Int.random(in: 0..<distinctValues, using: &generator) }
                let sorted = values.sorted()
                values.partitionSmallest(count, using: &generator, by: <)
                let taken = max(0, min(count, size))
                #expect(values.prefix(taken).sorted() == Array(sorted.prefix(taken)), "size \(size), k \(count)")
                #expect(values.sorted() == sorted, "the elements are only reordered")
            }
        }
    }
}
