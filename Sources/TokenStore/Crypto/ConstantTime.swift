/// Comparisons of secret-derived bytes whose running time does not depend on where they differ.
enum ConstantTime {
    /// Whether `lhs` and `rhs` are equal; the time taken depends only on their lengths.
    static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else {
            return false
        }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
